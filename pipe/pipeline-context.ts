import type { Env } from '../cli/io.ts';
import type { PipelineContext } from '../src/events/request.ts';
import { parseTopic } from '../src/transport/topic.ts';
import { problem } from './variables.ts';

/** Field checks for pipe/config.ts: each pushes one line naming its variable. */
export function topicOf(
  name: 'TOPIC' | 'REPLY_TOPIC' | 'KEYS_TOPIC',
  value: string,
  namespace: string,
  problems: string[],
): string {
  if (!value) return '';
  try {
    return parseTopic(value, namespace).full;
  } catch (error) {
    problems.push(
      problem(
        name,
        error instanceof Error ? error.message.replace(/^invalid topic "[^"]*": /, '') : 'is invalid',
        value,
      ),
    );
    return '';
  }
}

export function integer(
  name: 'SESSION_DURATION' | 'TIMEOUT',
  value: string | undefined,
  fallback: number,
  min: number,
  max: number,
  problems: string[],
): number {
  const text = value?.trim();
  if (!text) return fallback;
  const n = Number(text);
  if (/^\d+$/.test(text) && n >= min && n <= max) return n;
  problems.push(problem(name, `must be a whole number from ${min} to ${max}`, text));
  return fallback;
}

export function checkPolicy(policy: string, problems: string[]): void {
  if (policy.length > 2048)
    problems.push(problem('SESSION_POLICY', `is ${policy.length} characters, over 2048`));
  try {
    const parsed: unknown = JSON.parse(policy);
    if (typeof parsed !== 'object' || parsed === null || !('Statement' in parsed)) {
      problems.push(problem('SESSION_POLICY', 'is JSON but has no Statement'));
    }
  } catch {
    problems.push(problem('SESSION_POLICY', 'is not valid JSON'));
  }
}

export function parseBoolean(value: string | undefined): boolean | undefined {
  const text = value?.trim().toLowerCase();
  if (text === undefined || text === '' || ['false', '0', 'no', 'off'].includes(text)) return false;
  return ['true', '1', 'yes', 'on'].includes(text) ? true : undefined;
}

export function pipelineContext(env: Env, environment: string): PipelineContext {
  const pick = (key: string): string | undefined => env[key]?.trim() || undefined;
  const fields: Record<string, string | undefined> = {
    repositoryUuid: pick('BITBUCKET_REPO_UUID'),
    pipelineUuid: pick('BITBUCKET_PIPELINE_UUID'),
    stepUuid: pick('BITBUCKET_STEP_UUID'),
    buildNumber: pick('BITBUCKET_BUILD_NUMBER'),
    commit: pick('BITBUCKET_COMMIT'),
    branch: pick('BITBUCKET_BRANCH'),
    tag: pick('BITBUCKET_TAG'),
    deploymentEnvironment: pick('BITBUCKET_DEPLOYMENT_ENVIRONMENT') ?? environment,
    deploymentEnvironmentUuid: pick('BITBUCKET_DEPLOYMENT_ENVIRONMENT_UUID'),
  };
  const defined = Object.fromEntries(
    Object.entries(fields).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
  return Object.freeze({
    workspace: pick('BITBUCKET_WORKSPACE') ?? pick('BITBUCKET_REPO_OWNER') ?? 'local',
    repository: pick('BITBUCKET_REPO_FULL_NAME') ?? pick('BITBUCKET_REPO_SLUG') ?? 'local',
    ...defined,
  });
}
