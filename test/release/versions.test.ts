// A pipeline author copies `pipe: …/pulsar-gate:X.Y.Z` from the README; Bitbucket reads
// pipe.yml; operators deploy the manifests; everyone reads the CHANGELOG. One version in all
// of them (docs/release.md), and the script that writes it keeps them so.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  changelogVersions,
  packageVersion,
  ROOT,
  TAGGED_FILES,
  tagsIn,
} from '../../scripts/release/versioned.ts';

describe('one release version everywhere', () => {
  it('every image reference of ours carries package.json’s version', () => {
    const version = packageVersion();
    const tags = TAGGED_FILES.flatMap((file) => tagsIn(file).map((tag) => ({ file, ...tag })));
    expect(tags.map((t) => t.file)).toEqual(expect.arrayContaining(['pipe.yml', 'README.md']));
    for (const tag of tags) expect(tag).toEqual({ ...tag, version });
  });

  it('the newest CHANGELOG version is package.json’s, once a version has been cut', () => {
    // Before the first release the CHANGELOG holds only Unreleased.
    const [newest] = changelogVersions();
    if (newest !== undefined) expect(newest).toBe(packageVersion());
  });

  it('scripts/release/version.ts writes a new version into every place, and the CHANGELOG heading', () => {
    const copy = mkdtempSync(join(tmpdir(), 'release-'));
    try {
      const root = fileURLToPath(ROOT);
      for (const file of [
        'package.json',
        'package-lock.json',
        'CHANGELOG.md',
        ...TAGGED_FILES,
        'scripts/release',
      ])
        cpSync(join(root, file), join(copy, file), { recursive: true });
      execFileSync(process.execPath, [join(copy, 'scripts/release/version.ts'), '9.8.7'], { stdio: 'pipe' });
      const text = (file: string) => readFileSync(join(copy, file), 'utf8');
      expect(JSON.parse(text('package.json')).version).toBe('9.8.7');
      expect(JSON.parse(text('package-lock.json')).packages[''].version).toBe('9.8.7');
      for (const file of TAGGED_FILES) {
        const tags = [...text(file).matchAll(/\/pulsar-gate(?:-service)?:(\d+\.\d+\.\d+)/g)].map((m) => m[1]);
        for (const tag of tags) expect(`${file} ${tag}`).toBe(`${file} 9.8.7`);
      }
      expect(text('CHANGELOG.md')).toMatch(/^## \[Unreleased\]\n\n## \[9\.8\.7\] - \d{4}-\d{2}-\d{2}\n/m);
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });
});
