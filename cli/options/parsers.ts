import { parseTopic } from '../../src/transport/topic.ts';
import { fail, ok, type Parse } from './spec.ts';

/**
 * The parsers every command shares, so that a boolean, a number or a topic means the same
 * in the pipe, `serve` and the admin commands. Each gets trimmed, non-empty text.
 */

export const text: Parse<string> = (value) => ok(value);

const TRUE = ['true', '1', 'yes', 'on'];
const FALSE = ['false', '0', 'no', 'off'];

/** true/false/1/0/yes/no/on/off in any case; anything else is a problem, never a silent false. */
export const boolean: Parse<boolean> = (value) => {
  const word = value.toLowerCase();
  if (TRUE.includes(word)) return ok(true);
  if (FALSE.includes(word)) return ok(false);
  return fail('is not a boolean (true/false, 1/0, yes/no, on/off)');
};

/** A whole number within [min, max]. */
export const integer =
  (min: number, max: number): Parse<number> =>
  (value) =>
    /^\d+$/.test(value) && Number(value) >= min && Number(value) <= max
      ? ok(Number(value))
      : fail(`must be a whole number from ${min} to ${max}`);

export const oneOf =
  <const T extends string>(choices: readonly T[]): Parse<T> =>
  (value) => {
    const found = choices.find((choice) => choice === value);
    return found === undefined ? fail(`is not one of ${choices.join(', ')}`) : ok(found);
  };

/** Text matching `pattern`; `issue` says what is wrong when it does not. */
export const matching =
  (pattern: RegExp, issue: string): Parse<string> =>
  (value) =>
    pattern.test(value) ? ok(value) : fail(issue);

/** A URL with one of `schemes` (`https`, `ws`, …). */
export const url = (schemes: readonly string[], issue = 'is not a supported URL'): Parse<string> => {
  const scheme = schemes.map((s) => s.replace(/[+.]/g, '\\$&')).join('|');
  return matching(new RegExp(`^(${scheme})://[^/\\s]+`, 'i'), issue);
};

/** Where Pulsar is: the WebSocket API (ws, http) or the binary protocol (pulsar, with the native client). */
export const pulsarUrl: Parse<string> = url(['ws', 'wss', 'http', 'https', 'pulsar', 'pulsar+ssl']);

/**
 * A Pulsar topic: NAME, TENANT/NAMESPACE/NAME or persistent://TENANT/NAMESPACE/NAME, checked
 * by src/transport/topic.ts. The text is kept as given: a short name is resolved in the
 * namespace of whoever reads it (the pipe's PULSAR_NAMESPACE), with parseTopic again.
 */
export const topic: Parse<string> = (value) => {
  try {
    parseTopic(value);
    return ok(value);
  } catch (error) {
    return fail(
      error instanceof Error ? error.message.replace(/^invalid topic "[^"]*": /, '') : 'is invalid',
    );
  }
};

/** Comma-separated items, each parsed by `item`; the first bad item is the problem. */
export const list =
  <T>(item: Parse<T>): Parse<readonly T[]> =>
  (value) => {
    const items: T[] = [];
    for (const part of value.split(',').map((s) => s.trim())) {
      if (part === '') continue;
      const parsed = item(part);
      if (!parsed.ok) return fail(`item ${JSON.stringify(part.slice(0, 60))} ${parsed.issue}`);
      items.push(parsed.value);
    }
    return items.length === 0 ? fail('lists nothing') : ok(Object.freeze(items));
  };
