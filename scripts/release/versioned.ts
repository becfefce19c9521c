// The places a release's version is written (docs/release.md): what the version script
// rewrites and test/release/versions.test.ts reads, listed once.
import { readFileSync } from 'node:fs';

export const ROOT = new URL('../../', import.meta.url);
const read = (path: string): string => readFileSync(new URL(path, ROOT), 'utf8');

/** An image reference of ours with an exact version: `…/pulsar-gate:1.2.3`, `…/pulsar-gate-service:1.2.3`. */
export const IMAGE_TAG = /(\/pulsar-gate(?:-service)?):(\d+\.\d+\.\d+)\b/g;

/** Files whose image references carry the version (the README, pipe.yml, manifests, the demo's printout). */
export const TAGGED_FILES = [
  'pipe.yml',
  'README.md',
  'deploy/kubernetes/statefulset.yaml',
  'scripts/demo.ts',
  'docs/policy-suites.md',
];

export const packageVersion = (): string => (JSON.parse(read('package.json')) as { version: string }).version;

/** Every tagged version in a file, with the image it belongs to. */
export function tagsIn(path: string): { image: string; version: string }[] {
  return [...read(path).matchAll(IMAGE_TAG)].map((m) => ({ image: m[1] ?? '', version: m[2] ?? '' }));
}

/** The CHANGELOG's version headings, newest first: `## [1.2.3] - 2026-12-01`. */
export function changelogVersions(): string[] {
  return [...read('CHANGELOG.md').matchAll(/^## \[(\d+\.\d+\.\d+)\]/gm)].map((m) => m[1] ?? '');
}
