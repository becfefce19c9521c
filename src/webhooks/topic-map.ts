import { GateError } from '../errors.ts';
import { parseTopic } from '../transport/topic.ts';

/**
 * Which Pulsar topic a Bitbucket event key goes to. Rules are `event-key=topic` (exact:
 * `repo:push`) or `family:*=topic` (every key of a family: `pullrequest:*`); an exact rule wins
 * over a family rule. A key no rule names goes to the default: one topic per family,
 * `persistent://<namespace>/bitbucket-<family>` (`repo:push` → `…/bitbucket-repo`,
 * `pullrequest:approved` → `…/bitbucket-pullrequest`), so a consumer of one family sees its
 * events in one order per repository.
 */
export interface TopicMap {
  topicFor(eventKey: string): string;
  /** Every topic a rule names (the default topics are only known per family). */
  readonly named: readonly string[];
}

/** Bitbucket Cloud's event keys: `family:event`, lowercase words and underscores. */
export const EVENT_KEY = /^([a-z][a-z_]{0,39}):([a-z][a-z_]{0,63})$/;

export function familyOf(eventKey: string): string | undefined {
  return EVENT_KEY.exec(eventKey)?.[1];
}

export function topicMap(rules: readonly string[], namespace: string): TopicMap {
  const exact = new Map<string, string>();
  const family = new Map<string, string>();
  parseTopic(`${namespace}/probe`); // a bad namespace fails here, not at the first delivery
  for (const rule of rules) {
    const at = rule.indexOf('=');
    const pattern = rule.slice(0, at).trim();
    const topic = rule.slice(at + 1).trim();
    if (at < 0 || topic === '') throw bad(rule, 'is not event-key=topic');
    const name = parseTopic(topic, namespace);
    // At-least-once needs the broker to store: a non-persistent topic drops what no one reads.
    if (name.persistence !== 'persistent') throw bad(rule, 'names a non-persistent topic');
    const wildcard = /^([a-z][a-z_]{0,39}):\*$/.exec(pattern)?.[1];
    if (wildcard !== undefined) family.set(wildcard, name.full);
    else if (EVENT_KEY.test(pattern)) exact.set(pattern, name.full);
    else throw bad(rule, 'needs an event key (repo:push) or a family (pullrequest:*) before =');
  }
  return Object.freeze({
    topicFor(eventKey: string): string {
      const fam = familyOf(eventKey);
      if (fam === undefined) throw new GateError('CONFIG_INVALID', `not a Bitbucket event key: ${eventKey}`);
      return exact.get(eventKey) ?? family.get(fam) ?? parseTopic(`bitbucket-${fam}`, namespace).full;
    },
    named: Object.freeze([...new Set([...exact.values(), ...family.values()])]),
  });
}

function bad(rule: string, issue: string): GateError {
  return new GateError('CONFIG_INVALID', `WEBHOOK_TOPICS rule ${JSON.stringify(rule.slice(0, 80))} ${issue}`);
}
