// Issue 5 §4: decision keys rotate over a Pulsar topic. Real broker, `pulsar-gate keys rotate`
// and `serve` as processes, pipes as processes pinning only the root (decision-keys.json).
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nextKeySet, readOwnKeySet, signKeySet } from '../../src/keys/key-set.ts';
import { generateServiceKey } from '../../src/keys/service-keys.ts';
import { type PipeFixture, pipeFixture } from '../support/pipe-fixture.ts';
import { answer } from '../support/responder.ts';
import { kidOf, rotateKeys } from '../support/rotate-keys.ts';
import { runPipe } from '../support/run-pipe.ts';
import { auditVerify, localServeEnv, type ServeProcess, spawnServe } from '../support/serve-process.ts';
import { POLICY_DIR } from '../support/service-fixture.ts';
import { topicName } from '../transport/contract.ts';

let fixture: PipeFixture;
let dir: string;
let serve: ServeProcess | undefined;
let stateDir: string;
/** The key serve was told to use by SIGHUP; its checkpoints must be signed with it too. */
let reloadedKid: string | undefined;
const keysTopic = topicName('decision-keys');
const topic = topicName('rotating');

const rotate = (grace = '3600'): Promise<string> =>
  rotateKeys(dir, {
    keysTopic,
    pulsarUrl: fixture.broker.webSocketUrl,
    token: fixture.broker.adminToken,
    grace,
  });

const pipeVariables = () => ({
  DECISION_KEYS: join(dir, 'decision-keys.json'),
  KEYS_TOPIC: keysTopic,
  ENVIRONMENT: 'staging',
  DEBUG: 'true',
  TIMEOUT: '25',
});

beforeAll(async () => {
  fixture = await pipeFixture();
  dir = await mkdtemp(join(tmpdir(), 'rotation-'));
  stateDir = await mkdtemp(join(tmpdir(), 'rotation-state-'));
  const generate = await runPipe({}, { cwd: dir, args: ['keys', 'generate', '--out', dir] });
  expect(generate.code).toBe(0);
}, 60_000);
afterAll(async () => {
  serve?.child.kill('SIGKILL');
  await fixture?.close();
});

function startServe(): ServeProcess {
  const { webSocketUrl: pulsarUrl, adminToken } = fixture.broker;
  serve = spawnServe({
    ...localServeEnv({
      pulsarUrl,
      topic,
      keysDir: dir,
      policyDir: POLICY_DIR,
      issuer: fixture.world.issuer,
      bitbucket: fixture.world.bitbucket,
    }),
    PULSAR_TOKEN: adminToken ?? '',
    KEYS_TOPIC: keysTopic,
    STATE_DIR: stateDir,
  });
  return serve;
}

describe('decision keys rotate over KEYS_TOPIC', () => {
  it('rotated twice while pipes wait: pipes pinning the root follow the chain and accept the new key', async () => {
    const root = await kidOf(join(dir, 'service-key.json'));
    let requested = 0;
    const waiting = [1, 2].map(() =>
      fixture.run(undefined, {
        topic,
        variables: pipeVariables(),
        watch: { when: /→ Requested/, act: () => void requested++ },
      }),
    );
    const deadline = Date.now() + 30_000;
    while (requested < 2) {
      if (Date.now() > deadline) throw new Error('the pipes never published their requests');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await rotate();
    const newest = await rotate();
    expect(newest).not.toBe(root);
    startServe();
    await serve?.ready;
    for (const run of await Promise.all(waiting)) {
      expect(run.output).toContain(`verified decision signed by key ${newest}`);
      expect(run.output).toMatch(/decision keys v2 from .*: /);
      expect(run.code).toBe(0);
    }
  }, 120_000);

  it('serve picks up a rotation on SIGHUP; the next pipe verifies the third key', async () => {
    const third = await rotate();
    reloadedKid = third;
    serve?.child.kill('SIGHUP');
    const until = Date.now() + 10_000;
    while (!serve?.output().includes(`signing key reloaded: ${third}`)) {
      if (Date.now() > until) throw new Error(`no reload: ${serve?.output()}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const run = await fixture.run(undefined, { topic, variables: pipeVariables() });
    expect(run.output).toContain(`verified decision signed by key ${third}`);
    expect(run.code).toBe(0);
  }, 60_000);

  it('a forged key-set message is ignored with a warning, and the genuine chain still works', async () => {
    const rogue = await generateServiceKey();
    const sets = (await readFile(join(dir, 'key-set-v0003.jws'), 'utf8')).trim();
    const forged = await signKeySet(
      nextKeySet(
        await readOwnKeySet(sets, 'v3'),
        [rogue.privateJwk, rogue.encryptionJwk],
        Date.now(),
        3_600_000,
      ),
      rogue.privateJwk,
    );
    const publisher = await fixture.transport.publisher(keysTopic);
    await publisher.publish({ payload: forged, key: 'v4' });
    await publisher.publish({ payload: 'not even a JWS' });
    await publisher.close();
    const run = await fixture.run(undefined, { topic, variables: pipeVariables() });
    expect(run.output).toMatch(
      /⚠ Ignored a key set on .*: key set signed by kid .*, not an active key of v3 \(signer\)/,
    );
    expect(run.output).toMatch(/⚠ Ignored a key set on .*\(malformed\)/);
    expect(run.code).toBe(0);
  }, 60_000);

  it("a retired key's decision is refused; a key in its grace period still verifies", async () => {
    const inGrace = JSON.parse(await readFile(join(dir, 'service-key.json'), 'utf8')) as JWK;
    await rotate('3600');
    const graceTopic = topicName('grace');
    const stillValid = await fixture.run(answer('allow'), {
      topic: graceTopic,
      variables: { ...pipeVariables(), TIMEOUT: '20' },
      serviceKey: inGrace,
    });
    expect(stillValid.output).toContain(`verified decision signed by key ${inGrace.kid}`);
    expect(stillValid.code).toBe(0);

    const retiring = JSON.parse(await readFile(join(dir, 'service-key.json'), 'utf8')) as JWK;
    await rotate('0');
    const retiredTopic = topicName('retired');
    const refused = await fixture.run(answer('allow'), {
      topic: retiredTopic,
      variables: { ...pipeVariables(), TIMEOUT: '5' },
      serviceKey: retiring,
    });
    expect(refused.output).toMatch(
      new RegExp(
        `Ignored a message on the reply topic: decision signed by kid ${retiring.kid}, retired since`,
      ),
    );
    expect(refused.code).toBe(4);
  }, 90_000);

  it('after rotations the audit trail verifies with audit-keys.json (every key ever used), not the root alone', async () => {
    serve?.child.kill('SIGTERM');
    expect(await serve?.exited).toBe(0);
    // The closing checkpoint is signed with the key SIGHUP loaded, like the decisions.
    const entries = (await readFile(join(stateDir, 'audit', 'trail.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { type: string; signature?: string });
    const last = entries.filter((entry) => entry.type === 'checkpoint').at(-1);
    const header = JSON.parse(Buffer.from(last?.signature?.split('.')[0] ?? '', 'base64url').toString());
    expect(reloadedKid).toBeDefined();
    expect(header.kid).toBe(reloadedKid);
    const verify = (keys: string) => auditVerify(stateDir, join(dir, keys));
    const withAll = await verify('audit-keys.json');
    expect(withAll.output).toMatch(/✔ audit trail/);
    expect(withAll.code).toBe(0);
    const rootOnly = await verify('decision-keys.json');
    expect(rootOnly.code).not.toBe(0);
  }, 60_000);

  it('a keys directory without a usable signing key: exit 2, naming the file, nothing published', async () => {
    const broken = await mkdtemp(join(tmpdir(), 'rotation-broken-'));
    await writeFile(join(broken, 'decision-keys.json'), '{"keys":[]}');
    await writeFile(join(broken, 'service-key.json'), '{"kid":"only-a-kid"}');
    const run = await runPipe(
      {},
      {
        cwd: broken,
        args: [
          'keys',
          'rotate',
          '--dir',
          broken,
          '--keys-topic',
          keysTopic,
          '--pulsar-url',
          'ws://127.0.0.1:9',
        ],
      },
    );
    expect(run.output).toContain('✖ keys rotate: service-key.json is not a private JWK with "kid" and "alg"');
    expect(run.code).toBe(2);
  });
});
