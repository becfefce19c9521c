import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { auditExportCommand } from '../../cli/admin/audit/audit-command.ts';
import { auditVerifyProofCommand } from '../../cli/admin/audit/audit-proof-command.ts';
import { io, keysFile, sampleRecord, writeTrail } from './trail-fixture.ts';

describe('pulsar-gate-service audit export', () => {
  it('writes JSON and Markdown per deployment in the range, and an index', async () => {
    const trail = await writeTrail(4);
    const keys = await keysFile(trail);
    const out = join(trail.dir, 'evidence');
    const o = io();
    // sampleRecord(i) is decided at 2026-11-24T12:00:0i.5Z: take seconds 1 and 2 only.
    const code = await auditExportCommand(
      { file: trail.path, keys, from: '2026-11-24T12:00:01Z', to: '2026-11-24T12:00:03Z', out },
      o.io,
    );
    expect(o.out.join('')).toMatch(/✔ 2 deployments/);
    expect(code).toBe(0);
    const files = (await readdir(out)).sort();
    expect(files.filter((f) => f.endsWith('.md'))).toHaveLength(3);
    const bundle = JSON.parse(await readFile(join(out, 'evidence.json'), 'utf8')) as {
      deployments: Array<Record<string, unknown>>;
    };
    expect(bundle.deployments.map((d) => d.requestId)).toEqual([
      sampleRecord(1).requestId,
      sampleRecord(2).requestId,
    ]);
    expect(bundle.deployments[0]).toMatchObject({
      verdict: 'allow',
      policy: { ids: ['prod-deploy'], digest: 'sha256-policy-v1' },
      approvals: [],
      verified: { repositoryUuid: '{repo}', stepUuid: '{step-1}' },
      asked: {
        action: 'deploy',
        environment: 'production',
        pipeline: { repository: 'acme/web', commit: 'c0ffee1', branch: 'main' },
        role: { roleArn: 'arn:aws:iam::123456789012:role/deploy' },
      },
      trail: { seq: 2, signedCheckpoint: true },
    });
    const index = await readFile(join(out, 'index.md'), 'utf8');
    expect(index).toMatch(
      /\| 2026-11-24T12:00:01.500Z \| deploy \| production \| allow \| acme\/web \| main \| c0ffee100000 \| \{repo\} \|/,
    );
    const one = await readFile(
      join(out, files.find((f) => f.endsWith('.md') && f !== 'index.md') ?? ''),
      'utf8',
    );
    expect(one).toMatch(/^# deploy to production \(asked\): ALLOW/);
    expect(one).toMatch(/\| Verified repository \| \\?\{repo\\?\} in workspace/);
    expect(one).toMatch(/\| Asked: branch \/ tag \| main \|/);
    // What Bitbucket confirmed when the decision was made, beside what was only asked.
    expect(one).toContain(
      '| Verified deployment environment | production (Production, bitbucket-api) {env} |',
    );
    expect(one).toContain(
      `| Verified pipeline run (Bitbucket) | build 1, branch main at ${'c0ffee1'.padEnd(40, '0')}, push by {ada} |`,
    );
    expect(one).toMatch(/\| Approvals \| none required \|/);
    // Each deployment carries its inclusion proof (issue 15 §4), also as a file verify-proof reads.
    expect(one).toMatch(/\| Inclusion proof \| leaf 2 under the tree head of size 6 signed at /);
    expect(bundle.deployments.map((d) => d.proof)).toMatchObject([
      { index: 2, treeSize: 6, head: { seq: 6 } },
      { index: 3, treeSize: 6, head: { seq: 6 } },
    ]);
    const proofs = files.filter((f) => f.endsWith('.proof.json'));
    expect(proofs).toHaveLength(2);
    for (const proof of proofs) {
      const checked = io();
      expect(await auditVerifyProofCommand({ proof: join(out, proof), keys }, checked.io)).toBe(0);
    }
  });

  it('refuses to export from a broken trail', async () => {
    const trail = await writeTrail(3);
    const keys = await keysFile(trail);
    await writeFile(trail.path, `${trail.lines.filter((_, i) => i !== 1).join('\n')}\n`);
    const o = io();
    const code = await auditExportCommand(
      { file: trail.path, keys, from: '2026-11-01', to: '2026-11-30', out: join(trail.dir, 'e') },
      o.io,
    );
    expect(code).toBe(1);
    expect(o.out.join('')).toMatch(/seq 1 missing/);
    expect(await readdir(trail.dir)).not.toContain('e');
  });
});
