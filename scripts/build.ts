// Bundles each deployable's entrypoint, so it starts without resolving hundreds of modules
// (start-up time is measured in bench/). Native and optional modules stay external.
//   dist/pipe/pulsar-gate.mjs             the pipe image: `request` and `keys`
//   dist/service/pulsar-gate-service.mjs  the decision service: `serve`, `policy`, `audit`, `keys`
// Each writes its esbuild metafile to dist/meta/<name>.json: tests read it to prove what a
// bundle does not contain (the pipe carries no Cedar, service or audit code).
// `node scripts/build.ts pipe` builds the named bundles only (the pipe image needs one).
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { build, type Plugin } from 'esbuild';

/**
 * Builtins, as the bundle loads them. Node's ESM facade for `node:http` evaluates every
 * export, and in Node 24 some are getters that load undici (~16 ms), so http is reached
 * through require(). https, tls and zlib cost ~25 ms more at start-up and are only needed
 * for wss:// URLs and compression: they load on first use, through a proxy.
 */
const LAZY = new Set(['https', 'tls', 'zlib']);
const builtinsViaRequire: Plugin = {
  name: 'builtins-via-require',
  setup(build) {
    build.onResolve({ filter: /^(node:)?(http|https|tls|zlib)$/ }, (args) =>
      // The shim's own require() is the real builtin.
      args.namespace === 'builtin-require'
        ? { path: args.path, external: true }
        : { path: args.path.replace(/^node:/, ''), namespace: 'builtin-require' },
    );
    build.onLoad({ filter: /.*/, namespace: 'builtin-require' }, (args) => ({
      contents: LAZY.has(args.path)
        ? `let real;
const load = () => (real ??= require('node:${args.path}'));
module.exports = new Proxy({}, {
  get: (_, key) => load()[key],
  has: (_, key) => key in load(),
  ownKeys: () => Reflect.ownKeys(load()),
  getOwnPropertyDescriptor: (_, key) => {
    const d = Object.getOwnPropertyDescriptor(load(), key);
    return d && { ...d, configurable: true };
  },
});`
        : `module.exports = require('node:${args.path}');`,
      loader: 'js',
    }));
  },
};

/** What each deployable bundles from; `external` is what stays a package at run time. */
const BUNDLES = [
  { name: 'pipe', entry: 'pipe/main.ts', out: 'pulsar-gate', external: [] as string[] },
  // cedar-wasm loads its .wasm from __dirname: it stays a package (serve needs node_modules).
  {
    name: 'service',
    entry: 'cli/service/main.ts',
    out: 'pulsar-gate-service',
    external: ['@cedar-policy/cedar-wasm'],
  },
] as const;

const wanted = process.argv.slice(2);
const unknown = wanted.filter((name) => !BUNDLES.some((b) => b.name === name));
if (unknown.length > 0) throw new Error(`unknown bundle ${unknown.join(', ')}: pipe or service`);
for (const bundle of BUNDLES.filter((b) => wanted.length === 0 || wanted.includes(b.name))) {
  const outdir = `dist/${bundle.name}`;
  await rm(outdir, { recursive: true, force: true });
  const result = await build({
    plugins: [builtinsViaRequire],
    entryPoints: [bundle.entry],
    outdir,
    entryNames: bundle.out,
    chunkNames: 'chunks/[name]-[hash]',
    outExtension: { '.js': '.mjs' },
    // Chunks for what is imported lazily (the AWS SDK, commander), so the default path
    // evaluates only what it needs before its first network call.
    splitting: true,
    bundle: true,
    // Prefer the packages' ES module builds: esbuild can drop what is never called
    // (most of the AWS SDK's code is imported by CommonJS builds whether used or not).
    mainFields: ['module', 'main'],
    platform: 'node',
    format: 'esm',
    target: 'node22',
    minify: true,
    // Error classes (jose, the AWS SDK) are told apart by name in places; keep names intact.
    keepNames: true,
    legalComments: 'linked',
    metafile: true,
    external: ['pulsar-client', 'bufferutil', 'utf-8-validate', ...bundle.external],
    // ws and the AWS SDK are CommonJS and call require(); give the ESM bundle one.
    banner: {
      js: "import { createRequire as __pgCreateRequire } from 'node:module';\nconst require = __pgCreateRequire(import.meta.url);",
    },
    logLevel: 'warning',
  });
  await mkdir('dist/meta', { recursive: true });
  await writeFile(`dist/meta/${bundle.name}.json`, JSON.stringify(result.metafile));
  const outputs = Object.values(result.metafile.outputs);
  const bytes = outputs.reduce((sum, output) => sum + output.bytes, 0);
  console.log(`${outdir}/: ${(bytes / 1024).toFixed(0)} KiB in ${outputs.length} files`);
}
