import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { canonicalJson, digestOf } from '../../src/audit/canonical-json.ts';
import { createCheckpointSigner } from '../../src/audit/checkpoint.ts';
import { type AuditRecord, parseEntry, type TreeHead } from '../../src/audit/entry.ts';
import { TrailFile } from '../../src/audit/trail-file.ts';
import { generateServiceKey, publicJwksOf } from '../../src/keys/service-keys.ts';
import { parseTrustedKeys } from '../../src/keys/trusted-keys.ts';

export function sampleRecord(n: number, overrides: Partial<AuditRecord> = {}): AuditRecord {
  return {
    requestId: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
    verified: {
      iss: 'https://issuer.test',
      sub: `{repo}:{env}:{step-${n}}`,
      workspaceUuid: '{ws}',
      repositoryUuid: '{repo}',
      stepUuid: `{step-${n}}`,
      deploymentEnvironmentUuid: '{env}',
      environment: { name: 'production', slug: 'production', type: 'Production', source: 'bitbucket-api' },
      pipeline: {
        build: n,
        ref: 'branch',
        branch: 'main',
        commit: `c0ffee${n}`.padEnd(40, '0'),
        trigger: 'push',
        triggeredBy: '{ada}',
      },
    },
    asked: {
      action: 'deploy',
      environment: 'production',
      pipeline: {
        workspace: 'acme',
        repository: 'acme/web',
        buildNumber: String(n),
        commit: `c0ffee${n}`,
        branch: 'main',
      },
      role: { roleArn: 'arn:aws:iam::123456789012:role/deploy', sessionName: `acme-web-${n}` },
    },
    verdict: 'allow',
    reasons: [],
    policies: ['prod-deploy'],
    policyDigest: 'sha256-policy-v1',
    requestedAt: new Date(Date.UTC(2026, 10, 24, 12, 0, n)).toISOString(),
    decidedAt: new Date(Date.UTC(2026, 10, 24, 12, 0, n, 500)).toISOString(),
    ...overrides,
  };
}

/** A trail of a signed genesis, then `n` decisions with a checkpoint after every `every` of them and one at the end. */
export async function writeTrail(n: number, every = 3) {
  const dir = await mkdtemp(join(tmpdir(), 'pulsar-gate-audit-'));
  const { privateJwk, publicJwks } = await generateServiceKey();
  const signer = await createCheckpointSigner(privateJwk);
  const trail = await TrailFile.open(dir);
  const at = '2026-11-24T12:00:00.000Z';
  await trail.append((head) => signer.sign({ v: 1, ...head, at, type: 'genesis', kid: signer.kid }));
  for (let i = 0; i < n; i++) {
    await trail.append((head) => ({ v: 1, ...head, at, type: 'decision', record: sampleRecord(i) }));
    if ((i + 1) % every === 0 || i === n - 1)
      await trail.append((head) =>
        signer.sign({ v: 1, ...head, at, type: 'checkpoint', ...trail.treeHead() }),
      );
  }
  await trail.close();
  const lines = (await readFile(trail.path, 'utf8')).split('\n').filter(Boolean);
  return { dir, path: trail.path, lines, keys: await parseTrustedKeys(publicJwks, 'test'), privateJwk };
}

/** Captures what a command writes. */
export function io() {
  const out: string[] = [];
  return { out, io: { write: (t: string) => void out.push(t), env: {}, cwd: process.cwd() } };
}

/** The trail's public key as a decision-keys.json file, as the service publishes it. */
export async function keysFile(trail: Awaited<ReturnType<typeof writeTrail>>): Promise<string> {
  const path = join(trail.dir, 'decision-keys.json');
  await writeFile(path, JSON.stringify(publicJwksOf([trail.privateJwk])));
  return path;
}

export type Raw = Record<string, unknown> & { seq: number; type: string; record?: Record<string, unknown> };

/**
 * What a rogue operator with write access but no key can make of a trail: keep the entries
 * `keep` lets through, change them at will, renumber and rebuild every `prev` digest — a
 * chain that holds link by link.
 */
export function forge(
  lines: readonly string[],
  keep: (e: Raw) => boolean,
  change: (e: Raw) => void = () => {},
) {
  const entries = lines.map((l) => JSON.parse(l) as Raw).filter(keep);
  for (const [i, e] of entries.entries()) {
    change(e);
    e.seq = i;
    e.prev = i === 0 ? 'genesis' : digestOf(entries[i - 1]);
  }
  return entries.map(canonicalJson);
}

/**
 * What someone holding the signing key can make of a trail: every entry `keep` lets through,
 * changed at will, appended to a new trail file with its chain, tree heads and signatures made
 * afresh (`head` may then bend each tree head before it is signed). Alone, it verifies.
 */
export async function resign(
  trail: Awaited<ReturnType<typeof writeTrail>>,
  change: (e: Raw) => void,
  head: (h: TreeHead & { seq: number }) => TreeHead = (h) => h,
  keep: (e: Raw) => boolean = () => true,
): Promise<string[]> {
  const dir = await mkdtemp(join(tmpdir(), 'pulsar-gate-resigned-'));
  const signer = await createCheckpointSigner(trail.privateJwk);
  const file = await TrailFile.open(dir, (JSON.parse(trail.lines[0] ?? '{}') as Raw).trail as string);
  for (const line of trail.lines) {
    const e = JSON.parse(line) as Raw;
    if (!keep(e)) continue;
    change(e);
    const at = String(e.at);
    if (e.type === 'genesis')
      await file.append((h) => signer.sign({ v: 1, ...h, at, type: 'genesis', kid: signer.kid }));
    else if (e.type === 'checkpoint')
      await file.append((h) =>
        signer.sign({ v: 1, ...h, at, type: 'checkpoint', ...head({ ...file.treeHead(), seq: h.seq }) }),
      );
    else {
      // The changed record, read as the verifier reads a stored line: a forgery is still an entry.
      const changed = parseEntry(JSON.stringify(e));
      if (typeof changed === 'string' || changed.type !== 'decision')
        throw new Error(`resign: seq ${e.seq} is no longer a decision entry (${String(changed)})`);
      await file.append((h) => ({ v: 1, ...h, at, type: 'decision', record: changed.record }));
    }
  }
  await file.close();
  return (await readFile(file.path, 'utf8')).split('\n').filter(Boolean);
}
