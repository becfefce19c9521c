// TOPICS patterns (issue 17 §2): what an entry means, and which of a namespace's topics a
// pattern makes the service consume — never its own replies, dead letters or bookkeeping.
import { describe, expect, it } from 'vitest';
import { isGateError } from '../../src/errors.ts';
import { parseTopicEntry, resolveTopics } from '../../src/service/topic-patterns.ts';

const NS = 'persistent://ci/gates';
const namespace = [
  `${NS}/payments-requests`,
  `${NS}/payments-requests-replies`,
  `${NS}/payments-requests-dlq`,
  `${NS}/search-requests-partition-0`,
  `${NS}/search-requests-partition-1`,
  `${NS}/pulsar-gate-decisions`,
  `${NS}/decision-keys`,
  `${NS}/unrelated`,
];
const others = ['persistent://ci/other/payments-requests', 'persistent://evil/gates/x-requests'];

const list = async (persistence: string, ns: string) =>
  [...namespace, ...others].filter((t) => t.startsWith(`${persistence}://${ns}/`));
const notRequests = {
  skip: (full: string) =>
    full.endsWith('-dlq') || full.endsWith('/pulsar-gate-decisions') || full.endsWith('/decision-keys'),
  replyOf: (full: string) => `${full}-replies`,
};
const resolve = (...entries: string[]) => resolveTopics(entries.map(parseTopicEntry), list, notRequests);

describe('TOPICS entries', () => {
  it('a plain name is a topic, resolved to its full name', () => {
    expect(parseTopicEntry('ci/gates/payments')).toEqual({ kind: 'topic', full: `${NS}/payments` });
  });

  it('a pattern names its namespace literally; a short or wildcard namespace is refused', () => {
    expect(parseTopicEntry(`${NS}/.*-requests`)).toMatchObject({ kind: 'pattern', namespace: 'ci/gates' });
    for (const bad of [
      '.*-requests',
      'ci/gates/.*',
      'persistent://ci/.*/x',
      'persistent://ci/gates/(unclosed',
    ]) {
      let error: unknown;
      try {
        parseTopicEntry(bad);
      } catch (thrown) {
        error = thrown;
      }
      expect(isGateError(error, 'CONFIG_INVALID'), bad).toBe(true);
    }
  });

  it('matches whole local names in its namespace only, partitions as their topic', async () => {
    expect(await resolve(`${NS}/.*-requests`)).toEqual([`${NS}/payments-requests`, `${NS}/search-requests`]);
    // Not a substring match: "payment[s]" is in "payments-requests" but matches no whole name.
    expect(await resolve(`${NS}/payment[s]`)).toEqual([]);
    expect(await resolve(`${NS}/pay.*s`)).toEqual([`${NS}/payments-requests`]);
  });

  it('`.*` never takes the service’s own reply, dead-letter, decisions or keys topics', async () => {
    expect(await resolve(`${NS}/.*`)).toEqual([
      `${NS}/payments-requests`,
      `${NS}/search-requests`,
      `${NS}/unrelated`,
    ]);
  });

  it('lists each namespace a pattern names, and keeps literal topics as given', async () => {
    expect(await resolve('persistent://ci/other/.*', 'ci/gates/literal')).toEqual([
      `${NS}/literal`,
      'persistent://ci/other/payments-requests',
    ]);
  });

  it('a listing that fails fails the resolution (the caller keeps what it serves)', async () => {
    const refused = async () => {
      throw new Error('HTTP 403');
    };
    await expect(resolveTopics([parseTopicEntry(`${NS}/.*`)], refused, notRequests)).rejects.toThrow('403');
  });
});
