import { isRecord } from '../lib/is-record.ts';
import { printable } from '../lib/printable.ts';
import { answerFor } from './answer-for.ts';
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
  const { body: env, refuse: bad } = answerFor(body, 'deployment_environment', expectedUuid);
  if (typeof env.name !== 'string' || env.name.length === 0 || env.name.length > 256) throw bad('no name');
  const type = isRecord(env.environment_type) ? env.environment_type.name : undefined;
  if (!isEnvironmentType(type)) throw bad(`unknown environment type ${printable(type)}`);
  const slug = typeof env.slug === 'string' && env.slug ? env.slug : slugOf(env.name);
  return Object.freeze({ uuid: expectedUuid, name: env.name, slug, type, source: 'bitbucket-api' });
}

/** Bitbucket's slug of an environment name: lower case, runs of other characters as `-`. */
export function slugOf(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}
