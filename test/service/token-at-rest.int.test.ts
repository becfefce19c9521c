// Issue 13 part 4, "no live token at rest in clear": the pipe and `serve` as processes on the
// real broker. Every topic they write — requests, DLQ, replies, audit, key sets — is read back
// the way someone with consume rights (or a retained topic's backup) would, and searched for a
// step token: its exact strings, and any compact JWS, at any depth, that is not one of our
// signed envelopes. Then `keys rotate`: the new encryption key is decrypted, the old one only
// until its grace period ends.
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHECKPOINT_TYP, GENESIS_TYP } from '../../src/audit/checkpoint.ts';
import { DECISION_TYP } from '../../src/events/decision.ts';
import { REQUEST_TYP } from '../../src/events/request-signing.ts';
import { STEP_TOKEN_TYP } from '../../src/events/token-seal.ts';
import { encryptCompact } from '../../src/jose/encrypt.ts';
import { type EncryptionKey, importEncryptionKey } from '../../src/jose/encryption-key.ts';
import { KEY_SET_TYP } from '../../src/keys/key-set.ts';
import { generateServiceKey } from '../../src/keys/service-keys.ts';
import type { IncomingMessage, Subscription } from '../../src/transport/transport.ts';
import { type PipeFixture, pipeFixture } from '../support/pipe-fixture.ts';
import { signedRequest } from '../support/requester.ts';
import { rotateKeys } from '../support/rotate-keys.ts';
import { runPipe } from '../support/run-pipe.ts';
import { localServeEnv, type ServeProcess, spawnServe } from '../support/serve-process.ts';
import { POLICY_DIR } from '../support/service-fixture.ts';
import { topicName } from '../transport/contract.ts';

let fixture: PipeFixture;
let keysDir: string;
let serve: ServeProcess | undefined;
const topic = topicName('sealed');
const topics = {
  request: topic,
  dlq: `${topic}-dlq`,
  reply: `${topic}-replies`,
  audit: topicName('sealed-audit'),
  keys: topicName('sealed-keys'),
};
/** One subscription per topic, made before anything is published and never acknowledged: a retained topic. */
const scanners = new Map<string, Subscription>();
const seen = new Map<string, IncomingMessage[]>();
/** Every step token a pipe or the harness sent. */
const tokens: string[] = [];

async function drain(): Promise<void> {
  for (const [name, subscription] of scanners) {
    const list = seen.get(name) ?? [];
    for (;;) {
      const message = await subscription.receive(Date.now() + 1_500).catch(() => undefined);
      if (message === undefined) break;
      list.push(message);
    }
    seen.set(name, list);
  }
}

const ENVELOPES: readonly string[] = [REQUEST_TYP, DECISION_TYP, KEY_SET_TYP, CHECKPOINT_TYP, GENESIS_TYP];
const decode = (segment: string): string => Buffer.from(segment, 'base64url').toString('utf8');

/**
 * Every compact JWS in `text`, at any depth, that is not one of our signed envelopes: a bearer
 * token in clear. Our envelopes are opened and their payloads searched in turn.
 */
function tokensInClear(text: string): string[] {
  const found: string[] = [];
  for (const [jws] of text.matchAll(/eyJ[\w-]*\.eyJ[\w-]*\.[\w-]*/g)) {
    const [header = '', payload = ''] = jws.split('.');
    const typ = (JSON.parse(decode(header)) as { typ?: string }).typ ?? '(no typ)';
    if (ENVELOPES.includes(typ)) found.push(...tokensInClear(decode(payload)));
    else found.push(`${typ}: ${jws.slice(0, 24)}…`);
  }
  return found;
}

function requestsOnTopic(): Array<{ data: { identityTokenJwe: string; replyTopic: string }; id: string }> {
  return (seen.get('request') ?? []).map(
    (message) => JSON.parse(decode(message.payload.toString().split('.')[1] ?? '')) as never,
  );
}

const kidOf = (jwe: string): string => (JSON.parse(decode(jwe.split('.')[0] ?? '')) as { kid: string }).kid;

async function publishedEncryptionKey(file: string): Promise<EncryptionKey> {
  const jwks = JSON.parse(await readFile(file, 'utf8')) as { keys: JWK[] };
  const current = jwks.keys.find((key) => key.use === 'enc');
  return importEncryptionKey(current ?? {}, file);
}

/** Publishes a request as the harness (sealed to `sealTo`, or carrying `identityTokenJwe`); the DLQ or a reply tells. */
async function sendRequest(options: { sealTo: EncryptionKey; identityTokenJwe?: string }): Promise<string> {
  const { event, signed, token } = await signedRequest(fixture.world.issuer, {
    ...options,
    replyTopic: topics.reply,
    environment: 'staging',
  });
  tokens.push(token);
  const publisher = await fixture.transport.publisher(topics.request);
  // Keyed by the step, as the pipe keys it (else the answer would be the routing deny).
  const key = event.data.pipeline.stepUuid ?? event.id;
  await publisher.publish({ payload: signed.jws, properties: { correlationId: event.id }, key });
  await publisher.close();
  return event.id;
}

/** Waits for what the service did with request `id`: a reply, or a dead letter with its reason. */
async function fate(id: string): Promise<{ replied: boolean; deadLetter?: string }> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    await drain();
    const dead = (seen.get('dlq') ?? []).find((m) => m.properties.correlationId === id);
    if (dead) return { replied: false, deadLetter: dead.properties.deadLetterReason ?? '' };
    if ((seen.get('reply') ?? []).some((m) => m.properties.correlationId === id)) return { replied: true };
  }
  throw new Error(`request ${id} was neither answered nor dead-lettered: ${serve?.output()}`);
}

beforeAll(async () => {
  fixture = await pipeFixture();
  keysDir = await mkdtemp(join(tmpdir(), 'sealed-keys-'));
  const stateDir = await mkdtemp(join(tmpdir(), 'sealed-state-'));
  expect((await runPipe({}, { cwd: keysDir, args: ['keys', 'generate', '--out', keysDir] })).code).toBe(0);
  for (const [name, t] of Object.entries(topics))
    scanners.set(
      name,
      await fixture.transport.subscribe(t, `scan-${name}`, {
        type: 'Exclusive',
        initialPosition: 'Earliest',
      }),
    );
  const { webSocketUrl: pulsarUrl, adminToken } = fixture.broker;
  serve = spawnServe({
    ...localServeEnv({
      pulsarUrl,
      topic,
      keysDir,
      policyDir: POLICY_DIR,
      issuer: fixture.world.issuer,
      bitbucket: fixture.world.bitbucket,
    }),
    PULSAR_TOKEN: adminToken ?? '',
    STATE_DIR: stateDir,
    AUDIT_TOPIC: topics.audit,
    AUDITED_ENVIRONMENTS: '*',
    AUDIT_CHECKPOINT_INTERVAL: '1',
    KEYS_TOPIC: topics.keys,
  });
  await serve.ready;
}, 120_000);
afterAll(async () => {
  serve?.child.kill('SIGKILL');
  await Promise.allSettled([...scanners.values()].map((s) => s.close()));
  await fixture?.close();
});

const pipeVariables = () => ({ DECISION_KEYS: join(keysDir, 'decision-keys.json'), KEYS_TOPIC: topics.keys });

describe('the step token travels sealed to the decision service', () => {
  it('allows and denies end to end through serve, with the request carrying a JWE to its key', async () => {
    const allowed = await fixture.run(undefined, {
      topic,
      variables: { ...pipeVariables(), ENVIRONMENT: 'staging' },
    });
    expect(allowed.output).toContain('✔ Allowed by policy staging-any-branch');
    expect(allowed.code).toBe(0);
    const denyToken = await fixture.world.issuer.mint({ branchName: 'feature/login' });
    const denied = await fixture.run(undefined, { topic, token: denyToken, variables: pipeVariables() });
    expect(denied.output).toMatch(/✖ Denied: .*— failed at: /);
    expect(denied.code).toBe(1);
    tokens.push(allowed.env.BITBUCKET_STEP_OIDC_TOKEN ?? '', denyToken);
    await drain();
    const root = await publishedEncryptionKey(join(keysDir, 'decision-keys.json'));
    const requests = requestsOnTopic();
    expect(requests).toHaveLength(2);
    for (const request of requests) expect(kidOf(request.data.identityTokenJwe)).toBe(root.kid);
  }, 90_000);

  it('dead-letters, without a decision, a token sealed to another key, or a JWE that holds no JWS', async () => {
    const stranger = await generateServiceKey();
    const { d: _d, ...strangerPublic } = stranger.encryptionJwk;
    const toStranger = await sendRequest({ sealTo: await importEncryptionKey(strangerPublic, 'stranger') });
    expect(await fate(toStranger)).toEqual({
      replied: false,
      deadLetter: expect.stringMatching(/unknown-key/),
    });
    const ours = await publishedEncryptionKey(join(keysDir, 'decision-keys.json'));
    const notJws = await encryptCompact(
      { typ: STEP_TOKEN_TYP, cty: 'JWT' },
      new TextEncoder().encode('opaque'),
      ours,
    );
    const hollow = await sendRequest({ sealTo: ours, identityTokenJwe: notJws });
    expect(await fate(hollow)).toEqual({ replied: false, deadLetter: expect.stringMatching(/not-a-jws/) });
  }, 60_000);

  it('keys rotate: pipes encrypt to the new key and are decided; the old key decrypts until its grace ends, then never', async () => {
    const old = await publishedEncryptionKey(join(keysDir, 'decision-keys.json'));
    const { adminToken, webSocketUrl } = fixture.broker;
    await rotateKeys(keysDir, {
      keysTopic: topics.keys,
      pulsarUrl: webSocketUrl,
      token: adminToken,
      grace: '10',
    });
    const rotatedAt = Date.now();
    const ring = JSON.parse(await readFile(join(keysDir, 'service-enc-keys.json'), 'utf8')) as {
      keys: JWK[];
    };
    const next = ring.keys.find((key) => (key as { notAfter?: string }).notAfter === undefined);
    expect(next?.kid).not.toBe(old.kid);
    // Within the grace period a request sealed to the old key is still read and decided.
    expect(await fate(await sendRequest({ sealTo: old }))).toEqual({ replied: true });
    serve?.child.kill('SIGHUP');
    const pipe = await fixture.run(undefined, {
      topic,
      variables: { ...pipeVariables(), ENVIRONMENT: 'staging' },
    });
    expect(pipe.code).toBe(0);
    tokens.push(pipe.env.BITBUCKET_STEP_OIDC_TOKEN ?? '');
    await drain();
    expect(kidOf(requestsOnTopic().at(-1)?.data.identityTokenJwe ?? '')).toBe(next?.kid);
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, rotatedAt + 10_500 - Date.now())));
    const late = await sendRequest({ sealTo: old });
    expect(await fate(late)).toEqual({ replied: false, deadLetter: expect.stringMatching(/retired/) });
  }, 90_000);

  it('no topic the pipe or the service wrote holds a step token in clear', async () => {
    await new Promise((resolve) => setTimeout(resolve, 1_500)); // a checkpoint (interval 1 s) reaches the audit topic
    await drain();
    for (const name of Object.keys(topics)) expect(seen.get(name)?.length ?? 0, name).toBeGreaterThan(0);
    for (const [name, messages] of seen) {
      for (const message of messages) {
        const text = `${message.payload.toString('utf8')}\n${JSON.stringify(message.properties)}`;
        expect(tokensInClear(text), name).toEqual([]);
        for (const token of tokens) {
          expect(token).not.toBe('');
          for (const part of [token, ...token.split('.')]) expect(text.includes(part), name).toBe(false);
          const decoded = [...text.matchAll(/eyJ[\w-]*\.(eyJ[\w-]*)\./g)].map(([, payload]) =>
            decode(payload ?? ''),
          );
          for (const inner of decoded) expect(inner.includes(token), name).toBe(false);
        }
      }
    }
    // The scan itself sees what it must: a token in clear, as requests carried before, is caught.
    expect(tokensInClear(JSON.stringify({ identityToken: tokens[0] }))).toHaveLength(1);
  }, 60_000);
});
