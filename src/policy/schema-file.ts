import { ACTIONS, type Action } from '../events/actions.ts';
import {
  checkParseSchema,
  describeCedarError,
  type Schema,
  type SourceText,
  schemaToJson,
  whereIn,
} from './cedar.ts';
import { authorizePreparsed, buildCedarRequest } from './cedar-request.ts';
import type { Groups } from './groups.ts';
import type { PolicyInput } from './types.ts';

/**
 * The schema in Cedar's human-readable format (https://docs.cedarpolicy.com/schema/human-readable-schema.html)
 * or its JSON format (https://docs.cedarpolicy.com/schema/json-schema.html). Problems are
 * appended as `file:line:col: message` lines; undefined means it did not parse.
 */
export function parseSchema(
  file: SourceText & { format: 'cedar' | 'json' },
  problems: string[],
): Schema | undefined {
  let schema: Schema = file.text;
  if (file.format === 'json') {
    try {
      schema = JSON.parse(file.text);
    } catch (cause) {
      problems.push(`${file.name}: ${cause instanceof Error ? cause.message : String(cause)}`);
      return undefined;
    }
  }
  const parsed = checkParseSchema(schema);
  if (parsed.type === 'success') return schema;
  problems.push(...parsed.errors.map((e) => describeCedarError(e, whereIn(file, e))));
  return undefined;
}

/**
 * The engine builds entities and context in a fixed shape (cedar-request.ts) and asks Cedar to
 * validate every request against the schema, so a schema that does not describe that shape
 * would deny everything at run time. Checked at load instead, for each action the schema
 * declares, once with every optional fact present and once with none.
 */
export function schemaFitProblems(
  file: SourceText,
  schema: Schema,
  ids: { schema: string; policySet: string },
  groups: Groups,
): string[] {
  const json = schemaToJson(schema);
  if (json.type === 'failure') return json.errors.map((e) => describeCedarError(e, file.name));
  const declared = Object.keys(json.json['']?.actions ?? {});
  const actions = ACTIONS.filter((action) => declared.includes(action));
  if (actions.length === 0) {
    return [`${file.name}: declares none of the actions ${ACTIONS.join(', ')} (in the empty namespace)`];
  }
  const problems: string[] = [];
  for (const action of actions) {
    for (const [variant, input] of [
      ['with every optional fact', sample(action, true)],
      ['with no optional fact', sample(action, false)],
    ] as const) {
      const answer = authorizePreparsed(buildCedarRequest(input, groups), ids);
      if (answer.type === 'success') continue;
      const why = answer.errors.map((e) => e.message).join('; ');
      problems.push(
        `${file.name}: does not describe the request the engine builds for ${action} ${variant}: ${why}`,
      );
    }
  }
  return problems;
}

function sample(action: Action, full: boolean): PolicyInput {
  const uuid = '{00000000-0000-4000-8000-000000000000}';
  const optional = <T extends object>(value: T): T | Record<string, never> => (full ? value : {});
  const commit = '0'.repeat(40);
  return {
    facts: full
      ? {
          environment: {
            uuid,
            name: 'Schema Check',
            slug: 'schema-check',
            type: 'Production',
            source: 'bitbucket-api',
          },
          pipeline: {
            uuid,
            buildNumber: 1,
            ref: { type: 'tag', name: 't' },
            commit,
            trigger: 'push',
            triggeredBy: { uuid },
          },
          review: { mergedViaPullRequest: true, approvals: 1, approvers: [uuid], author: uuid },
        }
      : {
          environment: {
            name: 'schema-check',
            slug: 'schema-check',
            type: 'Open',
            source: 'open-environments',
          },
        },
    claims: {
      workspaceUuid: uuid,
      repositoryUuid: uuid,
      sub: `${uuid}:${uuid}`,
      iss: 'https://issuer.invalid',
      ...optional({ branchName: 'main', deploymentEnvironmentUuid: uuid }),
    },
    request: {
      action,
      environment: 'schema-check',
      pipeline: {
        workspace: 'w',
        repository: 'w/r',
        ...optional({ commit, buildNumber: '1', tag: 't', branch: 'b' }),
      },
      credentials: {
        roleArn: 'arn:aws:iam::000000000000:role/r',
        assumedRoleArn: 'arn:aws:sts::000000000000:assumed-role/r/s',
        sessionName: 's',
        expiration: '2030-01-01T00:00:00Z',
        region: 'eu-west-1',
        durationSeconds: 900,
        ...optional({ sessionPolicyDigest: 'd' }),
      },
      replyTopic: 'persistent://t/n/r',
      nonce: 'n',
      expiresAt: '2030-01-01T00:00:00Z',
    },
    now: new Date('2030-01-01T00:00:00Z'),
  };
}
