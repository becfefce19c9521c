import { GateError } from '../errors.ts';
import { isRecord } from '../lib/is-record.ts';
import { printable } from '../lib/printable.ts';

/** A refusal of one Bitbucket answer, naming what was asked for. */
export type Refuse = (what: string) => GateError;

/**
 * The checks every Bitbucket answer starts with: an object of the documented `type`, about
 * the very uuid that was asked for (so a confused or cached answer for something else can
 * never stand in for it). Returns the body and a way to refuse it with a named reason.
 */
export function answerFor(
  body: unknown,
  type: string,
  expectedUuid: string,
): { body: Record<string, unknown>; refuse: Refuse } {
  const refuse: Refuse = (what) =>
    new GateError(
      'BITBUCKET_INVALID',
      `Bitbucket's ${type.replace(/_/g, ' ')} ${printable(expectedUuid)}: ${what}`,
    );
  if (!isRecord(body) || body.type !== type) throw refuse(`not a ${type}`);
  if (typeof body.uuid !== 'string' || body.uuid.toLowerCase() !== expectedUuid.toLowerCase())
    throw refuse(`answered for ${printable(body.uuid)}`);
  return { body, refuse };
}
