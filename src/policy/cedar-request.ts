import {
  type AuthorizationAnswer,
  type CedarValueJson,
  type Context,
  type EntityJson,
  statefulIsAuthorized,
  type TypeAndId,
} from './cedar.ts';
import { cedarContext, withOptional } from './cedar-context.ts';
import { type Groups, groupsOf } from './groups.ts';
import type { PolicyInput } from './types.ts';

/**
 * The entity model (declared in examples/policies/schema.cedarschema; a policy set's schema
 * must describe the same shapes, which loading checks):
 *
 * - principal `Repository::"<repositoryUuid>"`, in `Group::"<name>"` per groups.json, with
 *   `workspace`, `branch?`, `deploymentEnvironmentUuid?`, `issuer`, `subject` — ALL from the
 *   verified token claims (P3).
 * - action `Action::"deploy" | "provision" | "access-grant" | "artifact-delivery"`.
 * - resource `Environment::"<slug>"`: the environment the step token proves, as Bitbucket
 *   names it (`name`, `type`: Production | Staging | Test), or one the operator opened to
 *   steps without a deployment environment (`type` "Open"); `verifiedBy` says which source.
 *   Never the name a request asks for: a request asking for another one was already denied.
 * - context: see cedar-context.ts (`pipeline` verified at Bitbucket, `asked`, the clock).
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

export function buildCedarRequest(input: PolicyInput, groups: Groups): CedarRequest {
  const { claims, request, facts } = input;
  const principal = { type: 'Repository', id: claims.repositoryUuid };
  const environment = facts.environment;
  const resource = { type: 'Environment', id: environment.slug };
  const memberOf = groupsOf(groups, claims.repositoryUuid, claims.workspaceUuid);
  const principalAttrs = withOptional(
    { workspace: claims.workspaceUuid, issuer: claims.iss, subject: claims.sub },
    { branch: claims.branchName, deploymentEnvironmentUuid: claims.deploymentEnvironmentUuid },
  );
  const resourceAttrs = { name: environment.name, type: environment.type, verifiedBy: environment.source };
  return {
    principal,
    action: { type: 'Action', id: request.action },
    resource,
    context: cedarContext(input),
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
