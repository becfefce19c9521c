import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach } from 'vitest';
import type { Action } from '../../src/events/request.ts';
import type { PolicyInput } from '../../src/policy/types.ts';

export const EXAMPLES = fileURLToPath(new URL('../../examples/policies', import.meta.url));

/** Listed in examples/policies/groups.json under payments-team. */
export const PAYMENTS_REPO = '{6f1a2b3c-4d5e-4f60-8a7b-9c0d1e2f3a4b}';
export const OTHER_REPO = '{2b6c1a1e-0d5f-4c1e-9a55-2f3f6c1d8e01}';
export const WORKSPACE = '{0d7e3c52-8a44-4c1b-9f3e-5b2a7c6d1e90}';

/** A Wednesday and a Saturday, at noon UTC: the weekend forbid must not depend on the test's clock. */
export const WEDNESDAY = new Date('2030-05-01T12:00:00.000Z');
export const SATURDAY = new Date('2030-05-04T12:00:00.000Z');

export interface InputChange {
  action?: Action;
  environment?: string;
  repositoryUuid?: string;
  /** Verified claim; `null` removes it. */
  branchName?: string | null;
  /** What the request's own pipeline block declares (never identity). */
  declaredBranch?: string;
  /** A tag pipeline, as Bitbucket ran it (verified: context.pipeline.tag). */
  tag?: string;
  /** A tag the request only declares (context.asked.tag). */
  declaredTag?: string;
  /** Bitbucket's environment type for the environment the token proves. */
  environmentType?: 'Production' | 'Staging' | 'Test';
  now?: Date;
}

const COMMIT = '9fceb02d0ae598e95dc970b74767f19372d61af8';

export function policyInput(change: InputChange = {}): PolicyInput {
  const repositoryUuid = change.repositoryUuid ?? PAYMENTS_REPO;
  const branch = change.branchName === undefined ? 'main' : change.branchName;
  const stepUuid = '{6f1e2d3c-4b5a-4978-8b6c-5d4e3f2a1b0c}';
  const environment = change.environment ?? 'production';
  const type = change.environmentType ?? (environment === 'production' ? 'Production' : 'Staging');
  const ref =
    change.tag === undefined
      ? { type: 'branch' as const, name: branch ?? 'main' }
      : { type: 'tag' as const, name: change.tag };
  return {
    facts: {
      environment: {
        uuid: '{c0ffee00-1234-4567-89ab-cdef01234567}',
        name: environment,
        slug: environment,
        type,
        source: 'bitbucket-api',
      },
      pipeline: {
        uuid: '{0b1c2d3e-4f50-4617-8829-3a4b5c6d7e8f}',
        buildNumber: 42,
        ref,
        commit: COMMIT,
        trigger: 'push',
        triggeredBy: { uuid: '{77aa88bb-99cc-4ddd-8eee-ff0011223344}' },
      },
    },
    claims: {
      workspaceUuid: WORKSPACE,
      repositoryUuid,
      ...(branch === null ? {} : { branchName: branch }),
      sub: `${repositoryUuid}:${stepUuid}`,
      iss: 'https://api.bitbucket.org/2.0/workspaces/acme/pipelines-config/identity/oidc',
    },
    request: {
      action: change.action ?? 'deploy',
      environment,
      pipeline: {
        workspace: 'acme',
        repository: 'acme/payments',
        repositoryUuid,
        buildNumber: '42',
        commit: COMMIT,
        branch: change.declaredBranch ?? branch ?? 'main',
        ...(change.tag === undefined && change.declaredTag === undefined
          ? {}
          : { tag: change.declaredTag ?? change.tag }),
      },
      credentials: {
        roleArn: 'arn:aws:iam::123456789012:role/deploy-production',
        assumedRoleArn: 'arn:aws:sts::123456789012:assumed-role/deploy-production/bbp-42',
        sessionName: 'bbp-42',
        expiration: '2030-05-01T13:00:00Z',
        region: 'eu-west-1',
        durationSeconds: 3600,
      },
      replyTopic: 'persistent://platform/gates/replies-42',
      nonce: 'bm9uY2U',
      expiresAt: '2030-05-01T12:10:00.000Z',
    },
    now: change.now ?? WEDNESDAY,
  };
}

const temps: string[] = [];
afterEach(async () => {
  await Promise.all(temps.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

/** A private copy of the sample policy set, removed after the test. */
export async function copyOfExamples(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'pulsar-gate-policies-'));
  temps.push(dir);
  await cp(EXAMPLES, dir, { recursive: true });
  return dir;
}
