#!/usr/bin/env node
import { flushCompileCache } from 'node:module';
import { processIo } from '../cli/io.ts';
import { preconnect } from '../src/transport/websocket/preconnect.ts';

/**
 * The pipe's entrypoint (bundled to dist/pipe/pulsar-gate.mjs): `request`, and `keys` for
 * whoever holds the pipe alone. The environment is read here, once, and handed down; nothing
 * below this file reads process.env.
 */
async function main(): Promise<void> {
  const io = processIo();
  let code = 0;
  if (process.argv.length <= 2) {
    // As PID 1 in a container, node ignores SIGTERM unless it listens for it. A cancelled
    // step fails closed: credentials are written only after a verified allow, at the end.
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      process.once(signal, () => {
        io.write(`✖ Cancelled by ${signal} — nothing was written\n`);
        process.exit(signal === 'SIGTERM' ? 143 : 130);
      });
    }
    // How Bitbucket runs a pipe: no arguments, everything in the environment. The broker's
    // TCP handshake starts before the rest loads; commander is not needed, so not loaded.
    preconnect(io.env.PULSAR_URL);
    // net.connect issues the connect on process.nextTick, which module loading would hold
    // back until everything is loaded: let it go out first.
    await new Promise((resolve) => setImmediate(resolve));
    const { requestCommand } = await import('./request-command.ts');
    code = await requestCommand({}, io);
  } else {
    const { buildProgram, runProgram } = await import('../cli/program.ts');
    const { registerRequest } = await import('./register.ts');
    const { registerKeys } = await import('../cli/admin/keys/register.ts');
    const { registerOnboard } = await import('../cli/admin/onboard/register.ts');
    code = await runProgram(
      (exit) =>
        buildProgram(
          'pulsar-gate',
          'Gate a Bitbucket Pipelines step on OIDC identity and a signed policy decision over Apache Pulsar',
          [registerRequest, registerKeys, registerOnboard],
          io,
          exit,
        ),
      process.argv,
    );
  }
  // Exit now: a pipe must end when its verdict is printed, whatever sockets linger.
  // stdout to a pipe or file is synchronous on Linux, so nothing printed is lost.
  flushCompileCache?.();
  process.exit(code);
}

await main();
