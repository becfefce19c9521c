import { GateError } from '../errors.ts';

export interface TopicName {
  readonly persistence: 'persistent' | 'non-persistent';
  readonly tenant: string;
  readonly namespace: string;
  readonly local: string;
  /** `persistent://tenant/namespace/local` */
  readonly full: string;
  /** `persistent/tenant/namespace/local`, as used in WebSocket and admin REST paths. */
  readonly path: string;
}

// Pulsar allows [A-Za-z0-9_=:.-] in tenant, namespace and topic names (NamedEntity.checkName);
// we also refuse '/' inside a part, and '%' so that a name never needs escaping in a URL path.
const PART = /^[A-Za-z0-9_=:.-]{1,255}$/;

/**
 * Resolves `name`, `tenant/ns/name` or `persistent://tenant/ns/name` to a full topic name.
 * Short names live in `defaultNamespace` (`tenant/ns`).
 */
export function parseTopic(input: string, defaultNamespace = 'public/default'): TopicName {
  const text = input.trim();
  const scheme = /^(persistent|non-persistent):\/\/(.*)$/.exec(text);
  const persistence = scheme?.[1] === 'non-persistent' ? 'non-persistent' : 'persistent';
  const rest = scheme ? (scheme[2] ?? '') : text;
  const parts = rest.split('/');
  const [tenant, namespace, local] =
    parts.length === 1 && !scheme
      ? [...defaultNamespace.split('/'), parts[0]]
      : parts.length === 3
        ? parts
        : [];
  if (tenant === undefined || namespace === undefined || local === undefined) {
    throw invalid(input, 'expected NAME, TENANT/NAMESPACE/NAME or persistent://TENANT/NAMESPACE/NAME');
  }
  for (const part of [tenant, namespace, local]) {
    if (!PART.test(part)) throw invalid(input, `"${part}" may only use letters, digits and _ = : . -`);
    // "." and ".." would be collapsed by URL normalisation and address another path.
    if (part === '.' || part === '..') throw invalid(input, `"${part}" is not a name`);
  }
  const path = `${persistence}/${tenant}/${namespace}/${local}`;
  return Object.freeze({
    persistence,
    tenant,
    namespace,
    local,
    full: `${persistence}://${tenant}/${namespace}/${local}`,
    path,
  });
}

function invalid(input: string, why: string): GateError {
  return new GateError('CONFIG_INVALID', `invalid topic "${input}": ${why}`);
}
