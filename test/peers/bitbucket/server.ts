/**
 * A Bitbucket Cloud REST API peer on loopback: the endpoints the decision service reads,
 *   GET /2.0/repositories/{workspace}/{repo_slug}/environments/{environment_uuid}
 *   GET /2.0/repositories/{workspace}/{repo_slug}/pipelines/{pipeline_uuid}
 *   GET /2.0/repositories/{workspace}/{repo_slug}/commit/{commit}/pullrequests  (paginated: pagelen, page)
 *   GET /2.0/repositories/{workspace}/{repo_slug}/pullrequests/{pull_request_id}
 * with the response shapes of test/peers/bitbucket/shapes.ts. As on Bitbucket, {workspace}
 * and {repo_slug} may be slugs or brace-wrapped UUIDs (URL-encoded or not); a request needs
 * `Authorization: Bearer <token>` (an access token), else 401; unknown ids are 404. Failures
 * can be switched on per endpoint: any status (429 carries Retry-After) or 'hang'.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  type EnvironmentFixture,
  environmentBody,
  errorBody,
  type PipelineFixture,
  pipelineBody,
} from './shapes.ts';
import { type PullRequestFixture, pullRequest } from './webhook-payloads.ts';

export type { EnvironmentFixture, PipelineFixture } from './shapes.ts';

export interface RepositoryFixture {
  readonly workspace: string;
  readonly workspaceUuid: string;
  readonly slug: string;
  readonly uuid: string;
  readonly environments: readonly EnvironmentFixture[];
  readonly pipelines: readonly PipelineFixture[];
}

export type Endpoint = 'environments' | 'pipelines' | 'pullrequests';

/** A pull request and the commits it contains (what commit/{commit}/pullrequests looks up). */
export type PeerPullRequest = PullRequestFixture & { readonly commits: readonly string[] };

/** A repository by its UUIDs, as a step token names it. */
export interface RepositoryRef {
  readonly workspaceUuid: string;
  readonly repositoryUuid: string;
}
export type Failure = number | 'hang' | null;

export interface BitbucketPeer {
  /** The API root, as `https://api.bitbucket.org/2.0` is Bitbucket's. */
  readonly url: string;
  /** The one access token it accepts. */
  readonly token: string;
  addRepository(repository: RepositoryFixture): void;
  /** Adds to a repository, creating it (slug `repo`) when the peer does not know it yet. */
  addEnvironment(repository: RepositoryRef, environment: EnvironmentFixture): void;
  addPipeline(repository: RepositoryRef, pipeline: PipelineFixture): void;
  /** Adds or replaces (by id) a pull request of a repository. */
  addPullRequest(repository: RepositoryRef, pullRequest: PeerPullRequest): void;
  findPipeline(repositoryUuid: string, pipelineUuid: string): PipelineFixture | undefined;
  fail(endpoint: Endpoint, failure: Failure): void;
  /** Requests seen, as `METHOD path` (path decoded), in order. */
  readonly requests: readonly string[];
  close(): Promise<void>;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

type Reply = 'hang' | [status: number, body: unknown, headers?: Record<string, string>];

const ROUTE = /^\/2\.0\/repositories\/([^/]+)\/([^/]+)\/(environments|pipelines|pullrequests)\/([^/]+)\/?$/;
const COMMIT_PRS = /^\/2\.0\/repositories\/([^/]+)\/([^/]+)\/commit\/([0-9a-f]{7,40})\/pullrequests\/?$/;

function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(text);
}

export async function startBitbucket(
  options: { token?: string; unref?: boolean } = {},
): Promise<BitbucketPeer> {
  const token = options.token ?? `bb-access-${Math.random().toString(36).slice(2)}`;
  const repositories: Mutable<RepositoryFixture>[] = [];
  const ensure = (ref: RepositoryRef): Mutable<RepositoryFixture> => {
    // A repository belongs to one workspace: the same uuid under another is another record.
    const found = repositories.find(
      (r) => r.uuid === ref.repositoryUuid && r.workspaceUuid === ref.workspaceUuid,
    );
    if (found) return found;
    const created = {
      workspace: 'acme',
      workspaceUuid: ref.workspaceUuid,
      slug: 'repo',
      uuid: ref.repositoryUuid,
      environments: [],
      pipelines: [],
    };
    repositories.push(created);
    return created;
  };
  const failures = new Map<Endpoint, Failure>();
  const requests: string[] = [];
  const hanging = new Set<ServerResponse>();

  const findRepository = (workspace: string, repo: string): RepositoryFixture | undefined =>
    repositories.find(
      (r) =>
        (workspace === r.workspace || workspace === r.workspaceUuid) && (repo === r.slug || repo === r.uuid),
    );

  /** What to answer a request, decided apart from sending it. */
  const answer = (req: IncomingMessage): Reply => {
    const url = new URL(req.url ?? '/', 'http://peer');
    const path = decodeURIComponent(url.pathname);
    requests.push(`${req.method} ${path}`);
    const byCommit = COMMIT_PRS.exec(path);
    const match =
      ROUTE.exec(path) ?? (byCommit && [byCommit[0], byCommit[1], byCommit[2], 'commit', byCommit[3]]);
    if (req.method !== 'GET' || !match) return [404, errorBody('Resource not found')];
    const [, workspace = '', repo = '', endpoint = '', id = ''] = match;
    if (req.headers.authorization !== `Bearer ${token}`)
      return [
        401,
        errorBody('Access token expired or invalid'),
        { 'www-authenticate': 'Bearer realm="Bitbucket.org HTTP"' },
      ];
    const kind: Endpoint =
      endpoint === 'environments' ? 'environments' : endpoint === 'pipelines' ? 'pipelines' : 'pullrequests';
    const failure = failures.get(kind) ?? null;
    if (failure === 'hang') return 'hang';
    if (failure !== null)
      return [failure, errorBody(`peer failure ${failure}`), failure === 429 ? { 'retry-after': '1' } : {}];
    const repository = findRepository(workspace, repo);
    if (!repository) return [404, errorBody('Repository not found')];
    if (endpoint === 'commit') return commitPullRequests(repository, id, url.searchParams);
    if (kind === 'pullrequests') {
      const pr = (pullRequests.get(repository.uuid) ?? []).find((p) => String(p.id) === id);
      return pr ? [200, pullRequest(repository, pr)] : [404, errorBody(`Pull request ${id} not found`)];
    }
    if (kind === 'environments') {
      const env = repository.environments.find((e) => e.uuid === id);
      return env
        ? [200, environmentBody(env, repository.uuid)]
        : [404, errorBody(`Environment ${id} not found`)];
    }
    const pipeline = repository.pipelines.find((p) => p.uuid === id);
    return pipeline
      ? [200, pipelineBody(pipeline, repository.uuid)]
      : [404, errorBody(`Pipeline ${id} not found`)];
  };

  const pullRequests = new Map<string, PeerPullRequest[]>();
  /** "List pull requests that contain a commit": a page of `paginated_pullrequests`. */
  const commitPullRequests = (
    repository: RepositoryFixture,
    commit: string,
    query: URLSearchParams,
  ): Reply => {
    const pagelen = Math.min(50, Number(query.get('pagelen') ?? 10) || 10);
    const page = Math.max(1, Number(query.get('page') ?? 1) || 1);
    const all = (pullRequests.get(repository.uuid) ?? []).filter((p) =>
      p.commits.some((c) => c.startsWith(commit)),
    );
    const values = all.slice((page - 1) * pagelen, page * pagelen).map((p) => {
      const { participants: _, ...summary } = pullRequest(repository, p);
      return summary;
    });
    const base = `http://127.0.0.1:${port}/2.0/repositories/${repository.workspace}/${repository.slug}/commit/${commit}/pullrequests`;
    const more = page * pagelen < all.length;
    return [
      200,
      { pagelen, page, values, ...(more ? { next: `${base}?pagelen=${pagelen}&page=${page + 1}` } : {}) },
    ];
  };

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const reply = answer(req);
    if (reply === 'hang') hanging.add(res);
    else send(res, ...reply);
  };

  let port = 0;
  const server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  if (options.unref) server.unref();
  ({ port } = server.address() as AddressInfo);
  return {
    url: `http://127.0.0.1:${port}/2.0`,
    token,
    addRepository: (repository) => void repositories.push({ ...repository }),
    addEnvironment: (ref, environment) => {
      const repository = ensure(ref);
      repository.environments = [
        ...repository.environments.filter((e) => e.uuid !== environment.uuid),
        environment,
      ];
    },
    addPipeline: (ref, pipeline) => {
      const repository = ensure(ref);
      repository.pipelines = [...repository.pipelines, pipeline];
    },
    addPullRequest: (ref, pr) => {
      ensure(ref);
      const list = (pullRequests.get(ref.repositoryUuid) ?? []).filter((p) => p.id !== pr.id);
      pullRequests.set(ref.repositoryUuid, [...list, pr]);
    },
    findPipeline: (repositoryUuid, pipelineUuid) =>
      repositories.find((r) => r.uuid === repositoryUuid)?.pipelines.find((p) => p.uuid === pipelineUuid),
    fail: (endpoint, failure) => void failures.set(endpoint, failure),
    requests,
    close: async () => {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
