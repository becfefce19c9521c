import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GateError } from '../../src/errors.ts';
import { loadTrustedKeys } from '../../src/keys/load-trusted-keys.ts';
import { generateServiceKey } from '../../src/keys/service-keys.ts';

let jwksJson: string;
let kid: string;
let dir: string;
let server: Server;
let base: string;

beforeAll(async () => {
  const { privateJwk, publicJwks } = await generateServiceKey();
  jwksJson = JSON.stringify(publicJwks);
  kid = String(privateJwk.kid);
  dir = await mkdtemp(join(tmpdir(), 'pulsar-gate-keys-'));
  // A real loopback HTTP server: /jwks answers, /missing is 404, /slow stalls mid-body, /hang never answers.
  server = createServer((request, response) => {
    if (request.url?.startsWith('/jwks'))
      response.writeHead(200, { 'content-type': 'application/json' }).end(jwksJson);
    else if (request.url === '/slow') response.writeHead(200).write('{"keys":');
    else if (request.url === '/hang') return;
    else response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await rm(dir, { recursive: true, force: true });
});

async function refusal(promise: Promise<unknown>): Promise<GateError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!(error instanceof GateError)) throw new Error(`expected a GateError, got ${String(error)}`);
  return error;
}

const noFetch: typeof fetch = () => Promise.reject(new Error('fetch must not be called'));

describe('loadTrustedKeys', () => {
  it('reads inline JSON', async () => {
    expect((await loadTrustedKeys(`  ${jwksJson}\n`)).ids).toEqual([kid]);
  });

  it('reads a file, and names a missing one', async () => {
    const path = join(dir, 'keys.json');
    await writeFile(path, jwksJson);
    expect((await loadTrustedKeys(path)).ids).toEqual([kid]);
    const error = await refusal(loadTrustedKeys(join(dir, 'nope.json')));
    expect(error.code).toBe('KEYS_UNAVAILABLE');
    expect(error.message).toContain(join(dir, 'nope.json'));
  });

  it('fetches from a loopback http server', async () => {
    const trusted = await loadTrustedKeys(`${base}/jwks`);
    expect(trusted.ids).toEqual([kid]);
    expect(trusted.origin).toBe(`${base}/jwks`);
  });

  it('names the URL on a non-2xx answer, without its query', async () => {
    const error = await refusal(loadTrustedKeys(`${base}/missing?token=s3cr3t`));
    expect(error.code).toBe('KEYS_UNAVAILABLE');
    expect(error.message).toContain(`${base}/missing`);
    expect(error.message).toContain('HTTP 404');
    expect(error.message).not.toContain('s3cr3t');
  });

  it.each(['/hang', '/slow'])('gives up on a slow server (%s) within the timeout', async (path) => {
    const started = performance.now();
    const error = await refusal(loadTrustedKeys(`${base}${path}`, { timeoutMs: 300 }));
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(error.code).toBe('KEYS_UNAVAILABLE');
    expect(error.message).toMatch(/no answer within 300 ms/);
  });

  it('names a refused connection', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const error = await refusal(loadTrustedKeys(`http://127.0.0.1:${port}/jwks`));
    expect(error.code).toBe('KEYS_UNAVAILABLE');
    expect(error.message).toMatch(/ECONNREFUSED/);
  });

  it.each(['http://keys.example.com/jwks', 'http://10.0.0.1/jwks', 'http://127.0.0.1.evil.com/jwks'])(
    'refuses plain http to a non-loopback host (%s) without fetching',
    async (url) => {
      const error = await refusal(loadTrustedKeys(url, { fetch: noFetch }));
      expect(error.code).toBe('CONFIG_INVALID');
      expect(error.message).toMatch(/DECISION_KEYS URL must be https/);
    },
  );

  it('refuses other schemes', async () => {
    expect((await refusal(loadTrustedKeys('ftp://keys.example.com/jwks', { fetch: noFetch }))).code).toBe(
      'CONFIG_INVALID',
    );
  });

  it('fetches https with a deadline signal', async () => {
    let signal: AbortSignal | null | undefined;
    const fake: typeof fetch = async (_url, init) => {
      signal = init?.signal;
      return new Response(jwksJson, { status: 200 });
    };
    expect((await loadTrustedKeys('https://keys.example.com/jwks', { fetch: fake })).ids).toEqual([kid]);
    expect(signal).toBeInstanceOf(AbortSignal);
  });

  it('refuses bad JSON naming where it came from, never quoting it', async () => {
    const pasted = '{"keys":[{"kty":"EC","d":"TOP-SECRET-SCALAR",}]}';
    const inline = await refusal(loadTrustedKeys(pasted));
    expect(inline.code).toBe('KEYS_INVALID');
    expect(inline.message).toContain('inline JSON');
    expect(inline.message).not.toContain('TOP-SECRET');
    expect(inline.cause).toBeUndefined();
    const fromFile = await refusal(loadTrustedKeys('/etc/keys.json', { readFile: async () => 'not json' }));
    expect(fromFile.message).toContain('/etc/keys.json');
  });

  it('refuses an empty spec', async () => {
    expect((await refusal(loadTrustedKeys('  '))).code).toBe('CONFIG_INVALID');
  });
});
