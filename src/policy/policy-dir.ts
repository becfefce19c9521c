import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { GateError } from '../errors.ts';
import type { SourceText } from './cedar.ts';

export const SCHEMA_FILE = 'schema.cedarschema';
export const SCHEMA_JSON_FILE = 'schema.cedarschema.json';
export const GROUPS_FILE = 'groups.json';

/** Everything a policy set is made of, read once; nothing else in the directory matters. */
export interface PolicyDirFiles {
  /** `*.cedar`, sorted by name. */
  policies: SourceText[];
  schema: SourceText & { format: 'cedar' | 'json' };
  groups: SourceText | undefined;
  digest: string;
}

/**
 * Reads the policy directory (not recursively). Reading is the only I/O in loading; a missing
 * or unreadable piece is CONFIG_INVALID naming the file, so a bad reload is reported, not half-applied.
 */
export async function readPolicyDir(dir: string): Promise<PolicyDirFiles> {
  let names: string[];
  try {
    names = (await readdir(dir, { withFileTypes: true }))
      .filter((entry) => entry.isFile())
      .map((entry) => entry.name)
      .sort();
  } catch (cause) {
    throw new GateError('CONFIG_INVALID', `cannot read the policy directory ${dir}: ${reason(cause)}`, {
      cause,
    });
  }
  const wanted = names.filter(
    (name) =>
      name.endsWith('.cedar') || name === SCHEMA_FILE || name === SCHEMA_JSON_FILE || name === GROUPS_FILE,
  );
  const files = await Promise.all(wanted.map(async (name) => ({ name, text: await readText(dir, name) })));
  const byName = new Map(files.map((file) => [file.name, file]));
  const text = byName.get(SCHEMA_FILE);
  const json = byName.get(SCHEMA_JSON_FILE);
  if (text !== undefined && json !== undefined) {
    throw new GateError('CONFIG_INVALID', `${dir}: both ${SCHEMA_FILE} and ${SCHEMA_JSON_FILE}; keep one`);
  }
  const schema = text ?? json;
  if (schema === undefined) {
    throw new GateError(
      'CONFIG_INVALID',
      `${dir}: no ${SCHEMA_FILE} (or ${SCHEMA_JSON_FILE}); policies are validated against a schema`,
    );
  }
  const policies = files.filter((file) => file.name.endsWith('.cedar'));
  if (policies.length === 0) throw new GateError('CONFIG_INVALID', `${dir}: no *.cedar policy files`);
  return {
    policies,
    schema: { ...schema, format: schema === text ? 'cedar' : 'json' },
    groups: byName.get(GROUPS_FILE),
    digest: digestOf(files),
  };
}

/**
 * base64url SHA-256 over every file that makes up the set, sorted by name. Each file is framed
 * as `<name>\n<byte length>\n<contents>` so no two different sets can hash the same bytes.
 */
export function digestOf(files: readonly SourceText[]): string {
  const hash = createHash('sha256');
  for (const file of [...files].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const body = Buffer.from(file.text, 'utf8');
    hash.update(`${file.name}\n${body.length}\n`);
    hash.update(body);
  }
  return hash.digest('base64url');
}

async function readText(dir: string, name: string): Promise<string> {
  try {
    return await readFile(join(dir, name), 'utf8');
  } catch (cause) {
    throw new GateError('CONFIG_INVALID', `cannot read ${join(dir, name)}: ${reason(cause)}`, { cause });
  }
}

function reason(cause: unknown): string {
  return cause instanceof Error ? cause.message : String(cause);
}
