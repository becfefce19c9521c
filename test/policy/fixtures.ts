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
  tag?: string;
  now?: Date;
}

export function policyInput(change: InputChange = {}): PolicyInput {
  const repositoryUuid = change.repositoryUuid ?? PAYMENTS_REPO;
  const branch = change.branchName === undefined ? 'main' : change.branchName;
  const stepUuid = '{6f1e2d3c-4b5a-4978-8b6c-5d4e3f2a1b0c}';
  return {
    claims: {
      workspaceUuid: WORKSPACE,
      repositoryUuid,
      ...(branch === null ? {} : { branchName: branch }),
      sub: `${repositoryUuid}:${stepUuid}`,
      iss: 'https://api.bitbucket.org/2.0/workspaces/acme/pipelines-config/identity/oidc',
    },
    request: {
      action: change.action ?? 'deploy',
      environment: change.environment ?? 'production',
      pipeline: {
        workspace: 'acme',
        repository: 'acme/payments',
        repositoryUuid,
        buildNumber: '42',
        commit: '9fceb02d0ae598e95dc970b74767f19372d61af8',
        branch: change.declaredBranch ?? branch ?? 'main',
        ...(change.tag === undefined ? {} : { tag: change.tag }),
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
