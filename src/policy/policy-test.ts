import { readFile } from 'node:fs/promises';
import { GateError } from '../errors.ts';
import { ACTIONS, isAction } from '../events/actions.ts';
import type { Clock } from '../time.ts';
import { loadPolicySet } from './load-policy-set.ts';
import { readTestFacts } from './test-request-facts.ts';
import type { PolicyDecision, PolicyInput } from './types.ts';

/**
 * `pulsar-gate-service policy test --policy-dir <dir> --request <request.json>`: what would the service decide? The request
 * file is JSON, only the facts a policy sees (the rest of a real request is filled in):
 *
 *   {
 *     "claims":  { "workspaceUuid": "{…}", "repositoryUuid": "{…}",            (required)
 *                  "branchName"?: "main", "deploymentEnvironmentUuid"?: "{…}",
 *                  "sub"?: "…" (default: repositoryUuid), "iss"?: "…" },
 *     "request": { "action": "deploy" | "provision" | "access-grant" | "artifact-delivery",
 *                  "environment": "production",                               (required)
 *                  "pipeline"?: { "workspace", "repository", "commit", "buildNumber", "tag", … },
 *                  "credentials"?: { "roleArn", "region", "durationSeconds" (default 3600),
 *                                    "sessionPolicyDigest" } },
 *     "facts"?: { "environment"?: {…}, "pipeline"?: {…} }   (see test-request-facts.ts)
 *     "now"?: "2030-05-01T12:00:00Z"   (default: the current time)
 *   }
 *
 * As in the service, identity (branch included) comes from `claims`, the environment and the
 * pipeline run from `facts`; `request` is only what the step asks for and declares.
 */
export async function testPolicyRequest(
  dir: string,
  requestFile: string,
  /** The time a request file without `now` is judged at. */
  clock: Clock,
): Promise<{ decision: PolicyDecision; text: string }> {
  const engine = await loadPolicySet(dir);
  const input = await readTestRequest(requestFile, clock);
  const decision = engine.decide(input);
  const { claims, request, facts } = input;
  const env = facts.environment;
  const run = facts.pipeline;
  const lines = [
    `policy set ${dir} (digest ${engine.digest}, ${engine.policyIds.length} policies)`,
    `request:    ${request.action} on Environment::${JSON.stringify(env.slug)} (${env.type}, ${env.source}); asked for ${JSON.stringify(request.environment)}`,
    `pipeline:   ${run ? `${run.ref.type} ${run.ref.name ?? ''} at ${run.commit} (verified)` : '(not looked up: no context.pipeline)'}`,
    `principal:  Repository::${JSON.stringify(claims.repositoryUuid)} in workspace ${claims.workspaceUuid}` +
      `, branch ${claims.branchName ?? '(none)'}`,
    `time:       ${input.now.toISOString()}`,
    `verdict:    ${decision.verdict.toUpperCase()}`,
    `determining: ${decision.determining.length === 0 ? '(none)' : decision.determining.join(', ')}`,
    ...(decision.approvers === undefined ? [] : [`approvers:  ${decision.approvers.join(', ')}`]),
    ...(decision.failedPath === undefined ? [] : [`failed at:  ${decision.failedPath}`]),
    'reasons:',
    ...decision.reasons.map((reason) => `  - ${reason}`),
    ...(decision.errors.length === 0 ? [] : ['errors:', ...decision.errors.map((e) => `  - ${e}`)]),
    ...(engine.warnings.length === 0 ? [] : ['policy warnings:', ...engine.warnings.map((w) => `  - ${w}`)]),
  ];
  return { decision, text: lines.join('\n') };
}

async function readTestRequest(file: string, clock: Clock): Promise<PolicyInput> {
  let root: unknown;
  try {
    root = JSON.parse(await readFile(file, 'utf8'));
  } catch (cause) {
    throw new GateError(
      'CONFIG_INVALID',
      `${file}: ${cause instanceof Error ? cause.message : String(cause)}`,
      {
        cause,
      },
    );
  }
  return parseTestRequest(root, file, clock);
}

/** One request in the request file's form (above), from JSON already read; `where` names it in problems. */
export function parseTestRequest(root: unknown, where: string, clock: Clock): PolicyInput {
  const bad = (message: string) => new GateError('CONFIG_INVALID', `${where}: ${message}`);
  const top = record(root, 'the file', bad);
  const claims = record(top.claims, 'claims', bad);
  const request = record(top.request, 'request', bad);
  const pipeline = record(request.pipeline ?? {}, 'request.pipeline', bad);
  const credentials = record(request.credentials ?? {}, 'request.credentials', bad);
  const text = (from: Record<string, unknown>, at: string, key: string, fallback?: string): string => {
    const value = from[key] ?? fallback;
    if (typeof value !== 'string') throw bad(`${at}.${key} must be a string`);
    return value;
  };
  const maybe = (from: Record<string, unknown>, at: string, key: string) =>
    from[key] === undefined ? {} : { [key]: text(from, at, key) };
  const action = text(request, 'request', 'action');
  if (!isAction(action)) throw bad(`request.action must be one of ${ACTIONS.join(', ')}`);
  const repositoryUuid = text(claims, 'claims', 'repositoryUuid');
  const now = new Date(text(top, '', 'now', new Date(clock.now()).toISOString()));
  if (!Number.isFinite(now.getTime())) throw bad('now must be an ISO 8601 date-time');
  const duration = credentials.durationSeconds ?? 3600;
  if (typeof duration !== 'number' || !Number.isInteger(duration)) {
    throw bad('request.credentials.durationSeconds must be an integer');
  }
  const environment = text(request, 'request', 'environment');
  return {
    facts: readTestFacts(top.facts, environment, bad),
    claims: {
      workspaceUuid: text(claims, 'claims', 'workspaceUuid'),
      repositoryUuid,
      sub: text(claims, 'claims', 'sub', repositoryUuid),
      iss: text(claims, 'claims', 'iss', 'pulsar-gate-service policy test'),
      ...maybe(claims, 'claims', 'branchName'),
      ...maybe(claims, 'claims', 'deploymentEnvironmentUuid'),
    },
    request: {
      action,
      environment,
      pipeline: {
        workspace: text(pipeline, 'request.pipeline', 'workspace', ''),
        repository: text(pipeline, 'request.pipeline', 'repository', ''),
        ...(['commit', 'buildNumber', 'tag', 'branch'] as const).reduce(
          (acc, key) => Object.assign(acc, maybe(pipeline, 'request.pipeline', key)),
          {},
        ),
      },
      credentials: {
        roleArn: text(credentials, 'request.credentials', 'roleArn', ''),
        assumedRoleArn: '',
        sessionName: 'policy-test',
        expiration: now.toISOString(),
        region: text(credentials, 'request.credentials', 'region', ''),
        durationSeconds: duration,
        ...maybe(credentials, 'request.credentials', 'sessionPolicyDigest'),
      },
      replyTopic: '',
      nonce: '',
      expiresAt: now.toISOString(),
    },
    now,
  };
}

function record(value: unknown, at: string, bad: (m: string) => GateError): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw bad(`${at} must be an object`);
  return value as Record<string, unknown>;
}
