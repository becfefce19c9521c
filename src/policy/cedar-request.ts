import {
  type AuthorizationAnswer,
  type CedarValueJson,
  type Context,
  type EntityJson,
  statefulIsAuthorized,
  type TypeAndId,
} from './cedar.ts';
import { type Groups, groupsOf } from './groups.ts';
import type { PolicyInput } from './types.ts';

/**
 * The entity model (declared in examples/policies/schema.cedarschema; a policy set's schema
 * must describe the same shapes, which loading checks):
 *
 * - principal `Repository::"<repositoryUuid>"`, in `Group::"<name>"` per groups.json, with
 *   `workspace`, `branch?`, `deploymentEnvironmentUuid?`, `issuer`, `subject` — ALL from the
 *   verified token claims (P3). The request's own `pipeline` block is never identity.
 * - action `Action::"deploy" | "provision" | "access-grant" | "artifact-delivery"`.
 * - resource `Environment::"<environment>"` with `name`, `roleArn`, `region`.
 * - context: `branch?` (claims), `commit?`, `buildNumber?`, `tag?`, `declaredRepository`
 *   (the request's facts, signed by the pipe but not proven by the token), `roleArn`,
 *   `sessionDurationSeconds`, `sessionPolicyDigest?`, and the service's clock as `now`
 *   (a Cedar `datetime`), `hour` (0-23) and `weekday` ("Monday"…), both UTC.
 */
export interface CedarRequest {
  principal: TypeAndId;
  action: TypeAndId;
  resource: TypeAndId;
  context: Context;
  entities: EntityJson[];
  /** The principal's groups and the entities' attributes, for explanations. */
  groups: string[];
  attrs: { principal: Record<string, CedarValueJson>; resource: Record<string, CedarValueJson> };
}

const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'] as const;

export function buildCedarRequest(input: PolicyInput, groups: Groups): CedarRequest {
  const { claims, request, now } = input;
  const principal = { type: 'Repository', id: claims.repositoryUuid };
  const resource = { type: 'Environment', id: request.environment };
  const memberOf = groupsOf(groups, claims.repositoryUuid, claims.workspaceUuid);
  const principalAttrs = withOptional(
    { workspace: claims.workspaceUuid, issuer: claims.iss, subject: claims.sub },
    { branch: claims.branchName, deploymentEnvironmentUuid: claims.deploymentEnvironmentUuid },
  );
  const resourceAttrs = {
    name: request.environment,
    roleArn: request.credentials.roleArn,
    region: request.credentials.region,
  };
  const context = withOptional(
    {
      declaredRepository: request.pipeline.repository,
      roleArn: request.credentials.roleArn,
      sessionDurationSeconds: request.credentials.durationSeconds,
      // Cedar's datetime extension (https://docs.cedarpolicy.com/policies/syntax-datatypes.html#datatype-datetime)
      // takes RFC 3339 with milliseconds, which is what toISOString() writes.
      now: { __extn: { fn: 'datetime', arg: now.toISOString() } },
      hour: now.getUTCHours(),
      weekday: WEEKDAYS[now.getUTCDay()] ?? 'Sunday',
    },
    {
      branch: claims.branchName,
      commit: request.pipeline.commit,
      buildNumber: request.pipeline.buildNumber,
      tag: request.pipeline.tag,
      sessionPolicyDigest: request.credentials.sessionPolicyDigest,
    },
  );
  return {
    principal,
    action: { type: 'Action', id: request.action },
    resource,
    context,
    entities: [
      {
        uid: principal,
        attrs: principalAttrs,
        parents: memberOf.map((name) => ({ type: 'Group', id: name })),
      },
      ...memberOf.map((name) => ({ uid: { type: 'Group', id: name }, attrs: {}, parents: [] })),
      { uid: resource, attrs: resourceAttrs, parents: [] },
    ],
    groups: memberOf,
    attrs: { principal: principalAttrs, resource: resourceAttrs },
  };
}

/**
 * Asks Cedar about a request against a preparsed schema and policy set: no policy text crosses
 * into wasm per request. Cedar validates the request and entities against the schema
 * (`validateRequest`), so a malformed fact is an error, not a guess. cedar-wasm answers
 * `{type: "failure"}` for most problems but THROWS for input it cannot deserialize (e.g. an
 * unknown field); both come back as a failure, which callers turn into a deny.
 */
export function authorizePreparsed(
  request: CedarRequest,
  ids: { schema: string; policySet: string },
): AuthorizationAnswer {
  const { principal, action, resource, context, entities } = request;
  try {
    return statefulIsAuthorized({
      principal,
      action,
      resource,
      context,
      entities,
      preparsedSchemaName: ids.schema,
      preparsedPolicySetId: ids.policySet,
      validateRequest: true,
    });
  } catch (cause) {
    const message = cause instanceof Error ? cause.message : String(cause);
    const error = { message, help: null, code: null, url: null, severity: null };
    return { type: 'failure', errors: [error], warnings: [] };
  }
}

/** Cedar optional attributes are absent, never null: only defined values are copied. */
function withOptional(
  required: Record<string, CedarValueJson>,
  optional: Record<string, string | undefined>,
): Record<string, CedarValueJson> {
  const out = { ...required };
  for (const [key, value] of Object.entries(optional)) if (value !== undefined) out[key] = value;
  return out;
}
