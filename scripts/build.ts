// Bundles the entrypoint into one file, so the pipe starts without resolving hundreds of
// modules (start-up time is measured in bench/). Native and optional modules stay external.
import { rm } from 'node:fs/promises';
import { build, type Plugin } from 'esbuild';

await rm('dist', { recursive: true, force: true });

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

const result = await build({
  plugins: [builtinsViaRequire],
  entryPoints: ['pipe/main.ts'],
  outdir: 'dist',
  entryNames: 'pulsar-gate',
  chunkNames: 'chunks/[name]-[hash]',
  outExtension: { '.js': '.mjs' },
  // Chunks for what is imported lazily (the AWS SDK, commander), so the default path
  // evaluates only what it needs before its first network call.
  splitting: true,
  bundle: true,
  // Prefer the packages' ES module builds: esbuild can drop what the pipe never calls
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
  // cedar-wasm loads its .wasm from __dirname: it stays a package (serve needs node_modules).
  external: ['pulsar-client', 'bufferutil', 'utf-8-validate', '@cedar-policy/cedar-wasm'],
  // ws and the AWS SDK are CommonJS and call require(); give the ESM bundle one.
  banner: {
    js: "import { createRequire as __pgCreateRequire } from 'node:module';\nconst require = __pgCreateRequire(import.meta.url);",
  },
  logLevel: 'warning',
});
const bytes = Object.values(result.metafile.outputs).reduce((sum, output) => sum + output.bytes, 0);
console.log(
  `dist/: ${(bytes / 1024).toFixed(0)} KiB in ${Object.keys(result.metafile.outputs).length} files`,
);
