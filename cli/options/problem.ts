import type { OptionSpec } from './spec.ts';

/** Longer values are not echoed: an inline JSON document would drown the line. */
const ECHO_LIMIT = 60;

/**
 * One problem line: the variable or flag the value came from, what is wrong, the value when
 * it may be shown (never a secret's), and what the option accepts. Every command's option
 * problems read the same, so a person who learnt one knows them all.
 */
export function problemLine(
  spec: OptionSpec,
  label: string,
  issue: string,
  value?: string | undefined,
): string {
  const shown =
    value === undefined || spec.secret === true || value.length > ECHO_LIMIT
      ? ''
      : ` (got ${JSON.stringify(value)})`;
  return `${label}: ${issue}${shown}; accepts ${spec.accepts}`;
}

/**
 * The name a problem is filed under when nothing was given: the variable, else the flag. A
 * secret goes by its file form, the one the README recommends (no secret on a command line).
 */
export const nameOf = (spec: OptionSpec): string =>
  spec.secret ? fileNameOf(spec, 'env') : (spec.env ?? spec.flag);

/** The variable or flag that holds a secret's file name. */
export const fileNameOf = (spec: OptionSpec, from: 'flag' | 'env'): string =>
  from === 'env' && spec.env !== undefined ? `${spec.env}_FILE` : `${spec.flag}-file`;
