// node scripts/release/version.ts X.Y.Z: writes a release's version everywhere it appears
// (scripts/release/versioned.ts) and turns the CHANGELOG's Unreleased section into
// `## [X.Y.Z] - today` under a new, empty Unreleased. Nothing is committed, tagged or pushed:
// docs/release.md has the rest.
import { readFileSync, writeFileSync } from 'node:fs';
import { IMAGE_TAG, packageVersion, ROOT, TAGGED_FILES } from './versioned.ts';

const version = process.argv[2] ?? '';
if (!/^\d+\.\d+\.\d+$/.test(version)) {
  process.stderr.write('usage: node scripts/release/version.ts X.Y.Z\n');
  process.exit(2);
}
const path = (file: string) => new URL(file, ROOT);
const edit = (file: string, change: (text: string) => string) =>
  writeFileSync(path(file), change(readFileSync(path(file), 'utf8')));

const previous = packageVersion();
for (const file of ['package.json', 'package-lock.json'])
  edit(file, (text) => {
    const json = JSON.parse(text);
    json.version = version;
    if (json.packages?.['']) json.packages[''].version = version;
    return `${JSON.stringify(json, null, 2)}\n`;
  });
for (const file of TAGGED_FILES) edit(file, (text) => text.replace(IMAGE_TAG, `$1:${version}`));
edit('CHANGELOG.md', (text) => {
  const today = new Date().toISOString().slice(0, 10);
  if (!text.includes('## [Unreleased]')) throw new Error('CHANGELOG.md has no ## [Unreleased] section');
  return text.replace('## [Unreleased]', `## [Unreleased]\n\n## [${version}] - ${today}`);
});
process.stdout.write(
  `${previous} → ${version}: package.json, package-lock.json, ${TAGGED_FILES.join(', ')}, CHANGELOG.md\n`,
);
