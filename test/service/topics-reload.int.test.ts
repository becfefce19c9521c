// Issue 17 §2, as an operator runs it: `serve` configured by a YAML file (no variable but
// CONFIG_FILE), TOPICS a pattern over a namespace; a new repository's topic is created, SIGHUP,
// and a real pipe on the new topic is answered — while a decision in flight on the old one is
// not dropped. A topic taken out of the file stops being served.
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { brokerAdmin } from '../support/broker.ts';
import { type PipeFixture, pipeFixture } from '../support/pipe-fixture.ts';
import { runPipe } from '../support/run-pipe.ts';
import { localServeEnv, type ServeProcess, spawnServe } from '../support/serve-process.ts';
import { POLICY_DIR } from '../support/service-fixture.ts';

let fixture: PipeFixture;
let dir: string;
let serve: ServeProcess | undefined;
const prefix = `reload-${randomUUID().slice(0, 8)}`;
const topic = (name: string) => `persistent://public/default/${prefix}-${name}`;
const pattern = `persistent://public/default/${prefix}-.*-requests`;

/** serve.yaml: every setting of localServeEnv, secrets as _FILE paths; TOPICS as given. */
async function writeConfig(topics: string[]): Promise<string> {
  const { BITBUCKET_TOKEN: bitbucketToken = '', ...plain } = localServeEnv({
    pulsarUrl: fixture.broker.webSocketUrl,
    topic: '',
    keysDir: dir,
    policyDir: POLICY_DIR,
    issuer: fixture.world.issuer,
    bitbucket: fixture.world.bitbucket,
  });
  await writeFile(join(dir, 'bitbucket-token'), bitbucketToken, { mode: 0o600 });
  await writeFile(join(dir, 'pulsar-token'), fixture.broker.adminToken ?? '', { mode: 0o600 });
  const file = join(dir, 'serve.yaml');
  const settings = {
    ...plain,
    TOPICS: topics,
    BITBUCKET_TOKEN_FILE: join(dir, 'bitbucket-token'),
    PULSAR_TOKEN_FILE: join(dir, 'pulsar-token'),
  };
  await writeFile(file, stringify(settings));
  return file;
}

async function waitForOutput(pattern: RegExp, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!pattern.test(serve?.output() ?? '')) {
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${pattern}; serve said:\n${serve?.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const allowedOn = (requestTopic: string, extra: Record<string, string> = {}) =>
  fixture.run(undefined, {
    topic: requestTopic,
    variables: { DECISION_KEYS: join(dir, 'decision-keys.json'), ENVIRONMENT: 'staging', ...extra },
  });

beforeAll(async () => {
  fixture = await pipeFixture();
  dir = await mkdtemp(join(tmpdir(), 'topics-reload-'));
  expect((await runPipe({}, { cwd: dir, args: ['keys', 'generate', '--out', dir] })).code).toBe(0);
  await brokerAdmin().createTopic(topic('payments-requests'));
}, 120_000);
afterAll(async () => {
  serve?.child.kill('SIGKILL');
  await fixture?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('serve --config with a TOPICS pattern, reloaded on SIGHUP', () => {
  it('serves the topics the pattern matches now, and a new one after SIGHUP, without dropping one in flight', async () => {
    const config = await writeConfig([pattern]);
    serve = spawnServe({ CONFIG_FILE: config });
    await serve.ready;
    // The pattern matched the one request topic, not its reply or dead-letter topics.
    expect(serve.output()).toContain(`serving ${topic('payments-requests')} as`);

    // A new repository's topic appears (`onboard --apply` creates it), and a topic the pattern does not name.
    await brokerAdmin().createTopic(topic('search-requests'));
    await brokerAdmin().createTopic(topic('search-other'));
    let hupped = false;
    const inFlight = fixture.run(undefined, {
      topic: topic('payments-requests'),
      variables: { DECISION_KEYS: join(dir, 'decision-keys.json'), ENVIRONMENT: 'staging' },
      // SIGHUP while this pipe's request is on its way to the service.
      watch: {
        when: /→ Requested/,
        act: () => {
          hupped = true;
          serve?.child.kill('SIGHUP');
        },
      },
    });
    expect((await inFlight).code).toBe(0);
    expect(hupped).toBe(true);
    await waitForOutput(
      /topics reloaded \(\+\S+search-requests\): serving \S+payments-requests, \S+search-requests/,
    );
    expect(serve.output()).not.toContain('search-other');
    const added = await allowedOn(topic('search-requests'));
    expect(added.output).toContain('✔');
    expect(added.code).toBe(0);
  }, 120_000);

  it('stops serving a topic taken out of the file; a file that no longer parses keeps what is served', async () => {
    await writeConfig([topic('search-requests')]);
    serve?.child.kill('SIGHUP');
    await waitForOutput(/topics reloaded \(-\S+payments-requests\): serving [^\s,]+search-requests"/);
    const dropped = await allowedOn(topic('payments-requests'), { TIMEOUT: '5' });
    expect(dropped.code).toBe(4);

    await writeFile(join(dir, 'serve.yaml'), 'TOPICS: [persistent://public/default/(unclosed]\n');
    serve?.child.kill('SIGHUP');
    await waitForOutput(/topics reload failed, keeping \S+search-requests: .*serve\.yaml/s);
    expect((await allowedOn(topic('search-requests'))).code).toBe(0);
  }, 120_000);
});
