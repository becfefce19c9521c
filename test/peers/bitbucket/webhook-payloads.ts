/**
 * Webhook payloads shaped as Bitbucket Cloud documents them ("Event payloads": the common
 * entities Owner/User, Repository, Pull request and Commit status, and the repo:push,
 * pullrequest:* and repo:commit_status_* bodies). Only fields a consumer reads are filled;
 * the real payloads carry more links.
 */

export interface RepositoryFixture {
  readonly uuid: string;
  readonly workspace: string;
  readonly slug: string;
}

export interface UserFixture {
  readonly uuid: string;
  readonly accountId: string;
  readonly displayName: string;
}

export const user = (u: UserFixture) => ({
  type: 'user',
  uuid: u.uuid,
  account_id: u.accountId,
  display_name: u.displayName,
  nickname: u.displayName.split(' ')[0],
  links: { html: { href: `https://bitbucket.org/%7B${u.uuid.slice(1, -1)}%7D/` } },
});

export function repository(r: RepositoryFixture) {
  const fullName = `${r.workspace}/${r.slug}`;
  return {
    type: 'repository',
    uuid: r.uuid,
    name: r.slug,
    full_name: fullName,
    is_private: true,
    scm: 'git',
    workspace: {
      type: 'workspace',
      slug: r.workspace,
      name: r.workspace,
      uuid: '{3d5e7f90-1a2b-4c3d-8e9f-0a1b2c3d4e5f}',
    },
    project: { type: 'project', key: 'PAY', name: 'Payments' },
    links: {
      html: { href: `https://bitbucket.org/${fullName}` },
      self: { href: `https://api.bitbucket.org/2.0/repositories/${fullName}` },
    },
  };
}

const commit = (r: RepositoryFixture, hash: string, message = 'Change things\n') => ({
  type: 'commit',
  hash,
  message,
  date: '2026-11-30T10:00:00+00:00',
  links: { html: { href: `https://bitbucket.org/${r.workspace}/${r.slug}/commits/${hash}` } },
});

/** `repo:push`: one change moving `branch` from `oldHash` to `newHash`. */
export function pushPayload(
  r: RepositoryFixture,
  actor: UserFixture,
  branch: string,
  oldHash: string,
  newHash: string,
) {
  return {
    actor: user(actor),
    repository: repository(r),
    push: {
      changes: [
        {
          old: { type: 'branch', name: branch, target: { type: 'commit', hash: oldHash } },
          new: { type: 'branch', name: branch, target: commit(r, newHash) },
          created: false,
          closed: false,
          forced: false,
          truncated: false,
          commits: [commit(r, newHash)],
        },
      ],
    },
  };
}

export interface PullRequestFixture {
  readonly id: number;
  readonly title: string;
  readonly author: UserFixture;
  readonly source: string;
  readonly destination: string;
  readonly state: 'OPEN' | 'MERGED' | 'DECLINED' | 'SUPERSEDED';
  readonly mergeCommit?: string;
  readonly participants: ReadonlyArray<{
    user: UserFixture;
    role: 'PARTICIPANT' | 'REVIEWER';
    approved: boolean;
  }>;
}

/** The Pull request entity, as in webhook payloads and at GET …/pullrequests/{id}. */
export function pullRequest(r: RepositoryFixture, pr: PullRequestFixture) {
  const self = `https://api.bitbucket.org/2.0/repositories/${r.workspace}/${r.slug}/pullrequests/${pr.id}`;
  return {
    type: 'pullrequest',
    id: pr.id,
    title: pr.title,
    description: '',
    state: pr.state,
    author: user(pr.author),
    source: { branch: { name: pr.source }, repository: repository(r) },
    destination: { branch: { name: pr.destination }, repository: repository(r) },
    merge_commit: pr.mergeCommit === undefined ? null : { type: 'commit', hash: pr.mergeCommit },
    participants: pr.participants.map((p) => ({
      type: 'participant',
      user: user(p.user),
      role: p.role,
      approved: p.approved,
      state: p.approved ? 'approved' : null,
      participated_on: p.approved ? '2026-11-30T10:05:00+00:00' : null,
    })),
    reviewers: pr.participants.filter((p) => p.role === 'REVIEWER').map((p) => user(p.user)),
    close_source_branch: true,
    created_on: '2026-11-30T09:00:00+00:00',
    updated_on: '2026-11-30T10:05:00+00:00',
    links: {
      self: { href: self },
      html: { href: `https://bitbucket.org/${r.workspace}/${r.slug}/pull-requests/${pr.id}` },
    },
  };
}

/** `pullrequest:created|updated|fulfilled|rejected`; `approved`/`unapproved` add `approval`. */
export function pullRequestPayload(
  r: RepositoryFixture,
  actor: UserFixture,
  pr: PullRequestFixture,
  approval = false,
) {
  return {
    actor: user(actor),
    repository: repository(r),
    pullrequest: pullRequest(r, pr),
    ...(approval ? { approval: { date: '2026-11-30T10:05:00+00:00', user: user(actor) } } : {}),
  };
}

/** `repo:commit_status_created|updated`: a build status on a commit (what Pipelines reports). */
export function commitStatusPayload(
  r: RepositoryFixture,
  actor: UserFixture,
  hash: string,
  state: 'INPROGRESS' | 'SUCCESSFUL' | 'FAILED',
) {
  return {
    actor: user(actor),
    repository: repository(r),
    commit_status: {
      type: 'build',
      key: 'pipeline-1742',
      name: 'Pipeline #1742 for main',
      state,
      description: '',
      url: `https://bitbucket.org/${r.workspace}/${r.slug}/addon/pipelines/home#!/results/1742`,
      refname: 'main',
      commit: { type: 'commit', hash },
      created_on: '2026-11-30T10:00:00+00:00',
      updated_on: '2026-11-30T10:04:00+00:00',
      links: {
        commit: {
          href: `https://api.bitbucket.org/2.0/repositories/${r.workspace}/${r.slug}/commit/${hash}`,
        },
        self: {
          href: `https://api.bitbucket.org/2.0/repositories/${r.workspace}/${r.slug}/commit/${hash}/statuses/build/pipeline-1742`,
        },
      },
    },
  };
}
