/**
 * The one place that imports Cedar. The package's default entry imports its `.wasm` as an ES
 * module, which Node 24 still flags as experimental (and warns about on stderr); the `nodejs`
 * entry is CommonJS that reads the `.wasm` with `fs` next to itself, and Node's CJS lexer
 * exposes its `exports.x = …` assignments as named ESM imports. A bundle must therefore keep
 * `@cedar-policy/cedar-wasm` external (its `__dirname` must be the package's).
 */

export type {
  ActionConstraint,
  AuthorizationAnswer,
  AuthorizationError,
  CedarValueJson,
  Context,
  DetailedError,
  EntityJson,
  EntityUidJson,
  Expr,
  PolicyJson,
  PrincipalConstraint,
  ResourceConstraint,
  Schema,
  TemplateLink,
  TypeAndId,
} from '@cedar-policy/cedar-wasm/nodejs';
export {
  checkParseSchema,
  formatPolicies,
  policySetTextToParts,
  policyToJson,
  policyToText,
  preparsePolicySet,
  preparseSchema,
  schemaToJson,
  statefulIsAuthorized,
  templateToJson,
  validate,
} from '@cedar-policy/cedar-wasm/nodejs';

import type { DetailedError } from '@cedar-policy/cedar-wasm/nodejs';

/** A file being loaded, so Cedar's byte offsets can be turned into `file:line:col`. */
export interface SourceText {
  name: string;
  text: string;
}

/**
 * Cedar reports `sourceLocations` as UTF-8 byte offsets into the text it was given (checked
 * against non-ASCII input), so columns are counted in characters after decoding.
 */
export function locate(source: SourceText, byteOffset: number): string {
  const before = Buffer.from(source.text, 'utf8').subarray(0, byteOffset).toString('utf8');
  const lineStart = before.lastIndexOf('\n') + 1;
  const line = before.split('\n').length;
  return `${source.name}:${line}:${before.length - lineStart + 1}`;
}

/** One line per Cedar error: where, Cedar's message, its label and help when it has them. */
export function describeCedarError(error: DetailedError, where: string): string {
  const label = error.sourceLocations?.find((l) => l.label !== null)?.label;
  const parts = [`${where}: ${error.message}`];
  if (label !== undefined && label !== null) parts.push(` (${label})`);
  if (error.help !== null && error.help !== '') parts.push(`; hint: ${error.help}`);
  return parts.join('').replace(/\s*\n\s*/g, ' ');
}

/**
 * `file:line:col` of the first location Cedar gave, or just the file when it gave none; `base`
 * is the byte offset in the file of the text Cedar was given (one policy cut from the file).
 */
export function whereIn(source: SourceText, error: DetailedError, base = 0): string {
  const first = error.sourceLocations?.[0];
  return first === undefined ? source.name : locate(source, base + first.start);
}
