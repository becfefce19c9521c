/**
 * Response bodies shaped as Bitbucket Cloud's REST API 2.0 documents them: a deployment
 * environment (`deployment_environment`), a pipeline (`pipeline` with a `pipeline_ref_target`
 * or `pipeline_commit_target`), and the error envelope (`{"type":"error","error":{…}}`).
 * Only the fields a consumer might read are filled; the real API sends more.
 */

export type EnvironmentType = 'Test' | 'Staging' | 'Production';

export interface EnvironmentFixture {
  readonly uuid: string;
  readonly name: string;
  readonly type: EnvironmentType;
}

export interface PipelineFixture {
  readonly uuid: string;
  readonly buildNumber: number;
  /** `branch` and `tag` are ref targets; `commit` a custom run on a bare commit. */
  readonly refType: 'branch' | 'tag' | 'commit';
  readonly refName?: string;
  readonly commit: string;
  readonly trigger: 'push' | 'manual' | 'schedule';
  readonly creator: { readonly uuid: string; readonly accountId: string; readonly displayName: string };
}

const RANK: Readonly<Record<EnvironmentType, number>> = { Test: 0, Staging: 1, Production: 2 };

export function environmentBody(env: EnvironmentFixture, repositoryUuid: string): Record<string, unknown> {
  return {
    type: 'deployment_environment',
    uuid: env.uuid,
    name: env.name,
    slug: env.name.toLowerCase().replace(/[^a-z0-9]+/g, '-'),
    rank: RANK[env.type],
    hidden: false,
    environment_type: { type: 'deployment_environment_type', name: env.type, rank: RANK[env.type] },
    environment_lock_enabled: true,
    lock: { type: 'deployment_environment_lock_open', name: 'OPEN' },
    restrictions: { type: 'deployment_restrictions_configuration', admin_only: false },
    deployment_gate_enabled: false,
    category: { name: env.type },
    links: {
      self: {
        href: `https://api.bitbucket.org/2.0/repositories/x/${repositoryUuid}/environments/${env.uuid}`,
      },
    },
  };
}

export function pipelineBody(p: PipelineFixture, repositoryUuid: string): Record<string, unknown> {
  const commit = { type: 'commit', hash: p.commit, links: {} };
  const target =
    p.refType === 'commit'
      ? { type: 'pipeline_commit_target', commit, selector: { type: 'custom', pattern: 'deploy' } }
      : {
          type: 'pipeline_ref_target',
          ref_type: p.refType,
          ref_name: p.refName,
          commit,
          selector: { type: p.refType === 'tag' ? 'tags' : 'branches', pattern: p.refName },
        };
  return {
    type: 'pipeline',
    uuid: p.uuid,
    build_number: p.buildNumber,
    creator: {
      type: 'user',
      uuid: p.creator.uuid,
      account_id: p.creator.accountId,
      display_name: p.creator.displayName,
      nickname: p.creator.displayName.split(' ')[0],
    },
    repository: { type: 'repository', uuid: repositoryUuid, full_name: 'acme/payments-api' },
    target,
    trigger: { type: `pipeline_trigger_${p.trigger}`, name: p.trigger.toUpperCase() },
    state: {
      type: 'pipeline_state_in_progress',
      name: 'IN_PROGRESS',
      stage: { type: 'pipeline_state_in_progress_running', name: 'RUNNING' },
    },
    created_on: '2026-12-01T12:00:00.000000+00:00',
    completed_on: null,
    build_seconds_used: 0,
  };
}

/** Bitbucket's error envelope. */
export function errorBody(message: string): unknown {
  return { type: 'error', error: { message } };
}
