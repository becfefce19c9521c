import { isRecord } from '../lib/is-record.ts';
import type { ActionConstraint, EntityUidJson, PrincipalConstraint } from './cedar.ts';

/** Words for the pieces of a Cedar policy (its JSON form), for reasons a person reads. */

export function describeEntity(uid: EntityUidJson): string {
  const { type, id } = '__entity' in uid ? uid.__entity : uid;
  return `${type}::${JSON.stringify(id)}`;
}

/** `principal in Group::"payments-team"`, `resource == Environment::"staging"`, `any resource`… */
export function describeScope(variable: 'principal' | 'resource', c: PrincipalConstraint): string {
  switch (c.op) {
    case 'All':
      return `any ${variable}`;
    case 'is': {
      const inPart = c.in !== undefined && 'entity' in c.in ? ` in ${describeEntity(c.in.entity)}` : '';
      return `${variable} is ${c.entity_type}${inPart}`;
    }
    default:
      return 'entity' in c
        ? `${variable} ${c.op} ${describeEntity(c.entity)}`
        : `${variable} ${c.op} ${c.slot}`;
  }
}

/** The policy's reach for the reason text: `deploy on Environment::"production"`. */
export function describeReach(action: ActionConstraint, resource: PrincipalConstraint): string {
  let actions = 'any action';
  if (action.op === '==' && 'entity' in action) actions = idOf(action.entity);
  if (action.op === 'in') {
    actions = ('entity' in action ? [action.entity] : action.entities).map(idOf).join(' or ');
  }
  let target = describeScope('resource', resource);
  if (resource.op === '==' && 'entity' in resource) target = describeEntity(resource.entity);
  return `${actions} on ${target}`;
}

/** A Cedar value as it would be written in a policy; `absent` for a missing optional attribute. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'absent';
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(describeValue).join(', ')}]`;
  if (!isRecord(value)) return JSON.stringify(value);
  if (isTypeAndId(value.__entity)) return describeEntity(value.__entity);
  const extn = value.__extn;
  if (isRecord(extn) && typeof extn.fn === 'string')
    return `${extn.fn}(${JSON.stringify(extn.arg ?? extn.args)})`;
  return JSON.stringify(value);
}

/**
 * The attribute paths a condition reads (`context.branch`, `principal.branch`), taken from
 * both `.` access and `has` tests, plus `principal in` when it tests group membership: the
 * facts worth showing next to a condition that failed.
 */
export function pathsIn(expr: unknown, out = new Set<string>()): string[] {
  if (Array.isArray(expr)) for (const item of expr) pathsIn(item, out);
  if (!isRecord(expr)) return [...out];
  for (const [op, operand] of Object.entries(expr)) {
    if ((op === '.' || op === 'has') && isRecord(operand)) {
      const base = pathOf(operand.left);
      const attr = Array.isArray(operand.attr) ? operand.attr.join('.') : operand.attr;
      if (base !== undefined && typeof attr === 'string') out.add(`${base}.${attr}`);
    }
    if (op === 'in' && isRecord(operand) && pathOf(operand.left) === 'principal') out.add('principal in');
    pathsIn(operand, out);
  }
  return [...out];
}

function pathOf(expr: unknown): string | undefined {
  if (!isRecord(expr)) return undefined;
  if (typeof expr.Var === 'string') return expr.Var;
  const access = expr['.'];
  if (!isRecord(access) || typeof access.attr !== 'string') return undefined;
  const base = pathOf(access.left);
  return base === undefined ? undefined : `${base}.${access.attr}`;
}

function idOf(uid: EntityUidJson): string {
  return '__entity' in uid ? uid.__entity.id : uid.id;
}

function isTypeAndId(value: unknown): value is { type: string; id: string } {
  return isRecord(value) && typeof value.type === 'string' && typeof value.id === 'string';
}
