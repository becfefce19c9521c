// Bundles the entrypoint into one file, so the pipe starts without resolving hundreds of
// modules (start-up time is measured in bench/). Native and optional modules stay external.
import { build } from 'esbuild';

const result = await build({
  entryPoints: ['pipe/main.ts'],
  outfile: 'dist/pulsar-gate.mjs',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node22',
  minifySyntax: true,
  legalComments: 'linked',
  metafile: true,
  external: ['pulsar-client', 'bufferutil', 'utf-8-validate'],
  // ws and the AWS SDK are CommonJS and call require(); give the ESM bundle one.
  banner: {
    js: "import { createRequire as __pgCreateRequire } from 'node:module';\nconst require = __pgCreateRequire(import.meta.url);",
  },
  logLevel: 'warning',
});
const bytes = Object.values(result.metafile.outputs).reduce((sum, output) => sum + output.bytes, 0);
console.log(`dist/pulsar-gate.mjs: ${(bytes / 1024).toFixed(0)} KiB`);
