// `pulsar-gate onboard --apply` against the real broker with authorization on: before it, a
// new repository's role may do nothing on its topic; after it, exactly what README "Configure
// your Pulsar cluster" grants — and still never publish a decision.
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GateError } from '../../src/errors.ts';
import { WebSocketTransport } from '../../src/transport/websocket/transport.ts';
import { brokerInfo } from '../support/broker.ts';
import { roleToken, SERVICE_ROLE } from '../support/grants.ts';
import { runPipe } from '../support/run-pipe.ts';
import { topicName } from '../transport/contract.ts';

const repository = randomUUID();
const role = `{${repository}}`;
const topic = topicName('onboard');
const replies = `${topic}-replies`;
let dir: string;
const open: WebSocketTransport[] = [];

const as = async (who: string) => {
  const transport = new WebSocketTransport({ url: brokerInfo().webSocketUrl, token: await roleToken(who) });
  open.push(transport);
  return transport;
};

/** Publishing on `on` as `who`: the message id, or the GateError code the broker's answer gave. */
async function publishAs(who: string, on: string): Promise<string> {
  try {
    const publisher = await (await as(who)).publisher(on);
    await publisher.publish({ payload: 'probe' });
    await publisher.close();
    return 'published';
  } catch (error) {
    return (error as GateError).code ?? String(error);
  }
}

async function attachAs(who: string, on: string): Promise<string> {
  try {
    await (await as(who)).attach(on);
    return 'attached';
  } catch (error) {
    return (error as GateError).code ?? String(error);
  }
}

const onboard = (...extra: string[]) =>
  runPipe(
    {},
    {
      cwd: dir,
      args: ['onboard', '--repository', repository, '--workspace', 'acme', '--topic', topic, ...extra],
    },
  );

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'onboard-'));
  await writeFile(join(dir, 'admin-token'), brokerInfo().adminToken ?? '', { mode: 0o600 });
});
afterAll(async () => {
  await Promise.allSettled(open.map((t) => t.close()));
  await rm(dir, { recursive: true, force: true });
});

describe('pulsar-gate onboard --apply', () => {
  it('grants a new repository produce on its topic and consume on its replies, and nothing that decides', async (context) => {
    const before = await publishAs(role, topic);
    if (before === 'published') {
      console.warn(
        'onboard --apply: skipped, this broker does not enforce authorization (a container broker)',
      );
      context.skip();
    }
    expect(before).toBe('PULSAR_NOT_PERMITTED');

    const admin = [
      '--apply',
      '--admin-url',
      brokerInfo().adminUrl,
      '--admin-token-file',
      join(dir, 'admin-token'),
    ];
    const applied = await onboard(...admin);
    expect(applied.output).toContain(`✔ granted ${role} produce on ${topic}`);
    expect(applied.output).not.toContain(brokerInfo().adminToken ?? '(no token)');
    expect(applied.code).toBe(0);

    expect(await publishAs(role, topic)).toBe('published');
    expect(await attachAs(role, replies)).toBe('attached');
    // An attacker holding a step token of this repository: no decision, no dead letter, no request read.
    expect(await publishAs(role, replies)).toBe('PULSAR_NOT_PERMITTED');
    expect(await publishAs(role, `${topic}-dlq`)).toBe('PULSAR_NOT_PERMITTED');
    expect(await attachAs(role, topic)).toBe('PULSAR_NOT_PERMITTED');
    // The service reads requests and alone publishes decisions.
    expect(await attachAs(SERVICE_ROLE, topic)).toBe('attached');
    expect(await publishAs(SERVICE_ROLE, replies)).toBe('published');

    // Again: the topics exist, the grants are set again, nothing fails.
    const again = await onboard(...admin);
    expect(again.output).toContain(`✔ exists ${topic}`);
    expect(again.code).toBe(0);
  }, 120_000);

  it('stops with exit 5 and the onboard hint when the admin token may not administer the tenant', async () => {
    await writeFile(join(dir, 'weak-token'), await roleToken(role), { mode: 0o600 });
    const refused = await onboard(
      '--apply',
      '--admin-url',
      brokerInfo().adminUrl,
      '--admin-token-file',
      join(dir, 'weak-token'),
    );
    expect(refused.output).toMatch(/✖ onboard: Pulsar refused creating \S+ \(HTTP 403\)/);
    expect(refused.output).toContain('hint: the admin token');
    expect(refused.code).toBe(5);
  }, 60_000);
});
