import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { GateError } from '../errors.ts';
import { isRecord } from '../lib/is-record.ts';

/** The operator's maps an approver's ID token is read through (approver-token.ts). */
export interface ApproverMaps {
  /** Policy group → the IdP groups that make someone a member; a group not named matches by its own name. */
  readonly groups: ReadonlyMap<string, readonly string[]>;
  /** `iss sub` or `sub` or `email` → Bitbucket account (APPROVER_MAP), checked after the claim. */
  readonly accounts: ReadonlyMap<string, string>;
}

/** Both maps, read at start and again on SIGHUP: either fails, neither is replaced. */
export async function readApproverMaps(
  policyDir: string,
  mapFile: string | undefined,
): Promise<ApproverMaps> {
  const [groups, accounts] = await Promise.all([readGroupMap(policyDir), readAccountMap(mapFile)]);
  return { groups, accounts };
}

/**
 * APPROVER_MAP: `{"<sub>" | "<verified email>" | "<issuer> <sub>": "<Bitbucket account>"}`,
 * the operator's word on which Bitbucket account a person at the IdP is (the uuid `{…}` or
 * the Atlassian account id). A broken file stops the start, or keeps the map in force on SIGHUP.
 */
export async function readAccountMap(file: string | undefined): Promise<ReadonlyMap<string, string>> {
  if (file === undefined) return new Map();
  const json = await readJson(file, 'APPROVER_MAP');
  if (!isRecord(json) || !Object.values(json).every((v) => typeof v === 'string' && v !== ''))
    throw invalid(
      `APPROVER_MAP ${file}: expected {"<sub or email>": "<Bitbucket account uuid or account id>"}`,
    );
  return new Map(Object.entries(json as Record<string, string>));
}

/**
 * groups.json `"approvers": {"<policy group>": ["<IdP group>", …]}`: which IdP groups make
 * someone a member of a group the policy names in @approval. A policy group not listed is
 * matched by its own name in the groups claim.
 */
export async function readGroupMap(policyDir: string): Promise<ReadonlyMap<string, readonly string[]>> {
  const file = join(policyDir, 'groups.json');
  const json = await readJson(file, 'groups.json').catch((error: unknown) => {
    if ((error as { cause?: { code?: string } }).cause?.code === 'ENOENT') return {};
    throw error;
  });
  const approvers = isRecord(json) ? json.approvers : undefined;
  if (approvers === undefined) return new Map();
  const ok =
    isRecord(approvers) &&
    Object.values(approvers).every(
      (v) => Array.isArray(v) && v.every((g) => typeof g === 'string' && g !== ''),
    );
  if (!ok) throw invalid(`${file}: "approvers" must be {"<policy group>": ["<IdP group>", …]}`);
  return new Map(Object.entries(approvers as Record<string, string[]>));
}

async function readJson(file: string, what: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    throw invalid(`${what} ${file} cannot be read`, cause);
  }
  try {
    return JSON.parse(text);
  } catch {
    throw invalid(`${what} ${file} is not JSON`);
  }
}

const invalid = (message: string, cause?: unknown) =>
  new GateError('CONFIG_INVALID', message, {
    details: { path: 'approvals' },
    ...(cause === undefined ? {} : { cause }),
  });
