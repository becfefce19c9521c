import { GateError } from '../errors.ts';
import { isRecord } from '../lib/is-record.ts';
import { printable } from '../lib/printable.ts';
import type { EnvironmentType, VerifiedEnvironment } from './facts.ts';

const TYPES: readonly EnvironmentType[] = ['Test', 'Staging', 'Production'];

export function isEnvironmentType(value: unknown): value is EnvironmentType {
  return typeof value === 'string' && (TYPES as readonly string[]).includes(value);
}

/**
 * A `deployment_environment` body (Bitbucket REST API 2.0, "Get an environment"), checked
 * field by field: the uuid must be the one asked for, so a confused or cached answer for
 * another environment can never stand in for it.
 */
export function parseEnvironment(body: unknown, expectedUuid: string): VerifiedEnvironment {
  const bad = (what: string): GateError =>
    new GateError('BITBUCKET_INVALID', `Bitbucket's environment ${printable(expectedUuid)}: ${what}`);
  if (!isRecord(body) || body.type !== 'deployment_environment') throw bad('not a deployment_environment');
  if (typeof body.uuid !== 'string' || body.uuid.toLowerCase() !== expectedUuid.toLowerCase())
    throw bad(`answered for ${printable(body.uuid)}`);
  if (typeof body.name !== 'string' || body.name.length === 0 || body.name.length > 256) throw bad('no name');
  const type = isRecord(body.environment_type) ? body.environment_type.name : undefined;
  if (!isEnvironmentType(type)) throw bad(`unknown environment type ${printable(type)}`);
  return Object.freeze({ uuid: expectedUuid, name: body.name, type, source: 'bitbucket-api' });
}
