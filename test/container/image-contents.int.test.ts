// What the pipe image holds: the bundled entrypoint, its V8 compile cache and the pipe's
// metadata on the base image, and nothing of the build (no node_modules, package managers, compilers, caches, or the
// build's CA mounts), within 60 MB of the base.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { engineGet, qualifiedImage } from '../peers/pulsar/container.ts';
import { describeWithImage, imageBytes } from './pipe-image.ts';
import { runPipeContainer } from './run-container.ts';

const ROOT = new URL('../..', import.meta.url);

// Prints one line per finding; an empty output is a clean image.
const AUDIT = `
for f in /pipe/pipe.yml /pipe/README.md /pipe/LICENSE /pipe/dist/pulsar-gate.mjs; do [ -s "$f" ] || echo "missing $f"; done
for c in npm npx corepack yarn yarnpkg gcc cc g++ make python3; do command -v "$c" >/dev/null && echo "command $c"; done
find / -xdev \\( -name node_modules -o -name .npm -o -name .cache -o -name .node-gyp \\) ! -empty -print 2>/dev/null | sed 's/^/cache /'
for f in /build /usr/local/etc/npmrc /tmp/warm-compile-cache.ts; do [ -e "$f" ] && echo "leftover $f"; done
[ -n "$(find /pipe/compile-cache/"$(node -p process.version)"-* -type f 2>/dev/null | head -n 1)" ] || echo "no compile cache for this node"
[ -e /etc/ssl/certs/ca-certificates.crt ] && [ ! -s /etc/ssl/certs/ca-certificates.crt ] && echo "leftover empty CA bundle mount point"
true`;

await describeWithImage('the pipe image contents', (image) => {
  it('holds the bundled entrypoint, pipe.yml, README and LICENSE, and nothing of the build', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pulsar-gate-clone-'));
    try {
      const run = await runPipeContainer(
        image,
        {},
        { cloneDir: dir, entrypoint: ['sh', '-c'], command: [AUDIT] },
      );
      expect(run.stderr).toBe('');
      expect(run.stdout.trim().split('\n').filter(Boolean)).toEqual([]);
      expect(run.code).toBe(0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('runs the bundled entrypoint with NODE_ENV=production', async () => {
    const res = await engineGet(`/images/${qualifiedImage(image)}/json`, 10_000);
    const config = (JSON.parse(res?.body ?? '{}') as { Config?: { Entrypoint?: string[]; Env?: string[] } })
      .Config;
    expect(config?.Entrypoint).toEqual(['node', '/pipe/dist/pulsar-gate.mjs']);
    expect(config?.Env).toContain('NODE_ENV=production');
    // Made at build time by the image's node: every run starts in a fresh container.
    expect(config?.Env).toContain('NODE_COMPILE_CACHE=/pipe/compile-cache');
  });

  it('is at most 60 MB larger than its base image', async () => {
    const dockerfile = await readFile(new URL('Dockerfile', ROOT), 'utf8');
    const base = /^FROM\s+(\S+)/m.exec(dockerfile)?.[1] ?? 'missing FROM';
    const [size, baseSize] = [await imageBytes(image), await imageBytes(base)];
    expect(size).toBeTypeOf('number');
    expect(baseSize).toBeTypeOf('number');
    const mb = (bytes: number): string => `${(bytes / 1e6).toFixed(1)} MB`;
    console.log(`pulsar-gate: ${image} ${mb(size ?? 0)}, base ${base} ${mb(baseSize ?? 0)}`);
    expect((size ?? 0) - (baseSize ?? 0)).toBeLessThanOrEqual(60e6);
  });
});
