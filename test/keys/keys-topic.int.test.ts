// KEYS_TOPIC over each transport: key sets announced by `keys rotate` (a process, over the same
// transport) are followed from the pinned root by the key follower the pipe runs, which reads
// the topic to the end it has when asked (Transport.read/endOf).
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { followKeysTopic } from '../../src/keys/key-follower.ts';
import { parseTrustedKeys } from '../../src/keys/trusted-keys.ts';
import { brokerInfo } from '../support/broker.ts';
import { kidOf, rotateKeys } from '../support/rotate-keys.ts';
import { runPipe } from '../support/run-pipe.ts';
import { brokerUrl, openVia, transportsHere } from '../support/transports.ts';
import { topicName } from '../transport/contract.ts';

describe.each(transportsHere('KEYS_TOPIC'))('KEYS_TOPIC over %s', (via) => {
  it('the follower pinned to the root trusts each rotated key once it is announced', async () => {
    const broker = brokerInfo();
    const dir = await mkdtemp(join(tmpdir(), 'keys-topic-'));
    const keysTopic = topicName('keys-topic');
    expect((await runPipe({}, { cwd: dir, args: ['keys', 'generate', '--out', dir] })).code).toBe(0);
    const root = await parseTrustedKeys(
      JSON.parse(await readFile(join(dir, 'decision-keys.json'), 'utf8')),
      'root',
    );
    const rootKid = await kidOf(join(dir, 'service-key.json'));
    const rotate = () =>
      rotateKeys(dir, { keysTopic, pulsarUrl: brokerUrl(broker, via), token: broker.adminToken });
    const second = await rotate();
    const transport = openVia(broker, via, broker.adminToken);
    const warnings: string[] = [];
    const source = await followKeysTopic({
      transport,
      topic: keysTopic,
      root,
      log: { warn: (line) => warnings.push(line), debug: () => {} },
    });
    try {
      const first = await source.current(Date.now() + 10_000);
      expect(first.ids).toEqual(expect.arrayContaining([rootKid, second]));
      const third = await rotate();
      expect((await source.current(Date.now() + 10_000)).ids).toContain(third);
      expect(warnings).toEqual([]);
    } finally {
      await source.close();
      await transport.close();
    }
  }, 120_000);
});
