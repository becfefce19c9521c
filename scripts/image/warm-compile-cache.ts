// Fills Node's compile cache for the bundle at image build time. A Bitbucket pipe runs in a
// fresh container every time, so a cache written at run time is never read again; one written
// here, by the image's own node (V8 code cache is per V8 version and file), is read by every
// run. NODE_COMPILE_CACHE (set in the Dockerfile) enables it; bench/ measures what it saves.
// Usage: node warm-compile-cache.ts <dist dir>
import { readdir } from 'node:fs/promises';
import { flushCompileCache, getCompileCacheDir } from 'node:module';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const dist = resolve(process.argv[2] ?? 'dist');
if (getCompileCacheDir() === undefined) {
  process.stderr.write('warm-compile-cache: NODE_COMPILE_CACHE is not set; nothing to warm\n');
  process.exit(2);
}
// The chunks, not the entry: importing the entry would run the pipe. Evaluating a chunk only
// defines things; the few that need packages outside the bundle (serve's Cedar) fail to link,
// which is expected where the image has no node_modules, and is not an error here.
const chunks = (await readdir(join(dist, 'chunks'))).filter((name) => name.endsWith('.mjs'));
let loaded = 0;
for (const name of chunks) {
  try {
    await import(pathToFileURL(join(dist, 'chunks', name)).href);
    loaded++;
  } catch {
    // see above
  }
}
flushCompileCache();
process.stdout.write(
  `warm-compile-cache: ${loaded} of ${chunks.length} chunks cached in ${getCompileCacheDir()}\n`,
);
// Whatever a chunk left scheduled, the image build must not wait for it.
process.exit(0);
