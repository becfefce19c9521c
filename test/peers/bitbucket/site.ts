/**
 * Bitbucket as the tests' steps see it: one API peer per test process that knows every
 * environment and pipeline run a test issuer mints a token for, so a minted step token names
 * an environment and a run that Bitbucket's API confirms — the way a real step's token does.
 * Environments get a stable UUID per (repository, name); each minted run gets its own
 * pipeline UUID with its ref and commit. A token for something never registered (a forged or
 * hand-made UUID) is unknown to the API, as it would be to Bitbucket.
 */
import { createHash, randomUUID } from 'node:crypto';
import { type BitbucketPeer, type RepositoryRef, startBitbucket } from './server.ts';
import type { EnvironmentType } from './shapes.ts';

export interface Run {
  /** A branch run (default `main`), or a tag run with `tag`. */
  readonly branch?: string;
  readonly tag?: string;
  readonly commit: string;
  readonly trigger?: 'push' | 'manual' | 'schedule';
}

export interface BitbucketSite {
  readonly url: string;
  readonly token: string;
  /** The UUID Bitbucket gives environment `name` of this repository (registered on first use). */
  environmentUuid(repository: RepositoryRef, name: string): string;
  /** The environment's name, for the UUID a token carries (BITBUCKET_DEPLOYMENT_ENVIRONMENT). */
  environmentName(uuid: string): string | undefined;
  /** Registers a pipeline run and returns its UUID. */
  pipeline(repository: RepositoryRef, run: Run): string;
  /** A registered run, as the pipe would declare it (BITBUCKET_BRANCH/TAG/COMMIT). */
  run(repositoryUuid: string, pipelineUuid: string): Run | undefined;
  readonly peer: BitbucketPeer;
}

/** Bitbucket's environment types; the usual names map to their own type. */
export function environmentType(name: string): EnvironmentType {
  const lower = name.toLowerCase();
  if (lower.startsWith('prod')) return 'Production';
  if (lower.startsWith('stag')) return 'Staging';
  return 'Test';
}

let site: Promise<BitbucketSite> | undefined;
// What this process registered: read synchronously where a step's variables are made.
const names = new Map<string, string>();
const registered = new Set<string>();
const runs = new Map<string, Run>();

/** The name of a registered environment UUID (BITBUCKET_DEPLOYMENT_ENVIRONMENT). */
export function environmentName(uuid: string): string | undefined {
  return names.get(uuid);
}

/** A registered pipeline run, as the pipe would declare it (BITBUCKET_BRANCH/TAG/COMMIT). */
export function registeredRun(repositoryUuid: string, pipelineUuid: string): Run | undefined {
  return runs.get(`${repositoryUuid}/${pipelineUuid}`);
}

/**
 * The UUID Bitbucket gives environment `name` of a repository in this test world: a pure
 * function of both, so an issuer's identity can name its default environment before any
 * peer runs.
 */
export function environmentUuidOf(repositoryUuid: string, name: string): string {
  const hex = createHash('sha256').update(`${repositoryUuid}/${name}`).digest('hex');
  return `{${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}}`;
}

/** This process's Bitbucket (started on first use; it never keeps the process alive). */
export function bitbucketSite(): Promise<BitbucketSite> {
  site ??= open();
  return site;
}

async function open(): Promise<BitbucketSite> {
  const peer = await startBitbucket({ unref: true });
  return {
    url: peer.url,
    token: peer.token,
    peer,
    environmentUuid: (repository, name) => {
      const uuid = environmentUuidOf(repository.repositoryUuid, name);
      // Once per workspace: one repository (a policy's fixed one) may be minted from the
      // workspaces of several issuers in one process.
      const where = `${repository.workspaceUuid}/${uuid}`;
      if (!registered.has(where)) {
        registered.add(where);
        names.set(uuid, name);
        peer.addEnvironment(repository, { uuid, name, type: environmentType(name) });
      }
      return uuid;
    },
    environmentName,
    pipeline: (repository, run) => {
      const uuid = `{${randomUUID()}}`;
      runs.set(`${repository.repositoryUuid}/${uuid}`, run);
      peer.addPipeline(repository, {
        uuid,
        buildNumber: 1742,
        refType: run.tag === undefined ? 'branch' : 'tag',
        refName: run.tag ?? run.branch ?? 'main',
        commit: run.commit,
        trigger: run.trigger ?? 'push',
        creator: {
          uuid: '{77aa88bb-99cc-4ddd-8eee-ff0011223344}',
          accountId: '5b10a2844c20165700ede21g',
          displayName: 'Ada Admin',
        },
      });
      return uuid;
    },
    run: registeredRun,
  };
}
