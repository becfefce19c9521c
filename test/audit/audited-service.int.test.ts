import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditLog } from '../../src/audit/audit-log.ts';
import type { DecisionEntry } from '../../src/audit/entry.ts';
import { proveInclusion, verifyInclusionProof } from '../../src/audit/inclusion-proof.ts';
import { Metrics } from '../../src/service/metrics.ts';
import type { RunningService } from '../../src/service/service-options.ts';
import { type ServiceFixture, serviceFixture, WEEKDAY } from '../support/service-fixture.ts';
import { auditWorld, eventually } from './audit-world.ts';

const PRODUCTION = { mint: { branchName: 'main' } };
const STAGING = {
  environment: 'staging',
  mint: { branchName: 'feature/y' },
};

let fx: ServiceFixture;
let world: Awaited<ReturnType<typeof auditWorld>>;
let audit: AuditLog;
let service: RunningService;
beforeAll(async () => {
  fx = await serviceFixture({ now: WEEKDAY });
  world = await auditWorld(fx);
  audit = await world.open();
  service = await fx.start(undefined, { audit });
});
afterAll(async () => {
  await service?.stop();
  await audit?.close(2_000);
  await world?.close();
  await fx?.close();
});

async function decisions(source: 'file' | 'topic' | 'bucket'): Promise<DecisionEntry[]> {
  // Read while the service runs: the newest records are not under a checkpoint yet.
  const result = await world.verify(source, true);
  if (!result.ok) throw new Error(`${source}: ${JSON.stringify(result.broken)}`);
  return [...result.decisions];
}

describe('the audit trail gates production access (real broker, real moto S3)', () => {
  it('a production allow is published only after its record is in the topic and the bucket', async () => {
    const { decision, requestId } = await fx.ask(PRODUCTION);
    expect(decision?.verdict).toBe('allow');
    // Read right after the decision arrived: no waiting, the record must already be there.
    for (const source of ['bucket', 'topic', 'file'] as const) {
      const record = (await decisions(source)).find((d) => d.record.requestId === requestId)?.record;
      expect(record, source).toMatchObject({
        verdict: 'allow',
        asked: { environment: 'production' },
        policies: ['prod-deploy'],
      });
      expect(record?.verified?.repositoryUuid).toBe(fx.issuer.repositoryUuid);
    }
  });

  it('S3 down: production is denied ("audit mirror unavailable"), staging is allowed and mirrored later', async () => {
    await world.s3.down();
    let staging: string;
    let production: string;
    try {
      const prod = await fx.ask(PRODUCTION);
      expect(prod.decision?.verdict).toBe('deny');
      expect(prod.decision?.reasons).toEqual(['audit mirror unavailable']);
      expect(prod.decision?.failedPath).toBe('audit mirror');
      production = prod.requestId;
      const started = Date.now();
      const stage = await fx.ask(STAGING);
      expect(stage.decision?.verdict).toBe('allow');
      // Decided at once: not held for the mirror timeout (2 s) the production request waited.
      expect(Date.now() - started).toBeLessThan(1_900);
      staging = stage.requestId;
      expect(audit.backlog().s3).toBeGreaterThan(0);
      const metrics = new Metrics();
      metrics.watchAuditBacklog(() => audit.backlog());
      expect(metrics.render()).toMatch(/^pulsar_gate_audit_backlog\{mirror="s3"\} [1-9]\d*$/m);
    } finally {
      await world.s3.up();
    }
    expect(await eventually(async () => audit.backlog().s3 === 0, 30_000)).toBe(true);
    const inBucket = await decisions('bucket');
    expect(inBucket.find((d) => d.record.requestId === staging)?.record.verdict).toBe('allow');
    // The allow that was never published is in the trail, and so is the deny that replaced it.
    const forProduction = inBucket.filter((d) => d.record.requestId === production);
    expect(forProduction.map((d) => d.record.verdict)).toEqual(['allow', 'deny']);
    expect(forProduction[1]?.record.replaces).toBe(forProduction[0]?.seq);
    // The replay guard remembers the deny: a redelivery cannot turn into the allow.
    expect(fx.decisions.find((d) => d.requestId === production)?.verdict).toBe('deny');
  });

  it('the decision names its audit leaf, proven under the next signed head (issue 15 §3)', async () => {
    const { decision, requestId } = await fx.ask(STAGING);
    expect(decision?.auditLeaf?.trail).toBe(audit.trail);
    const entry = (await decisions('file')).find((d) => d.record.requestId === requestId);
    expect(decision?.auditLeaf?.index).toBe(entry?.seq);
    await audit.checkpoint();
    const verified = await world.verify('file');
    if (!verified.ok || !entry) throw new Error('the trail must verify');
    const tree = verified.trees.get(audit.trail);
    const proof = tree && proveInclusion(tree, entry);
    expect(proof).toMatchObject({ index: decision?.auditLeaf?.index, leaf: { record: { requestId } } });
    expect(await verifyInclusionProof(proof, fx.trusted)).toMatchObject({ ok: true });
  });

  it('a record holds no token and no credential', async () => {
    const { lines } = await world.sources.file.read();
    const records = lines
      .map((l) => JSON.parse(l) as { type: string; record?: unknown })
      .filter((e) => e.type === 'decision');
    expect(records.length).toBeGreaterThan(0);
    const text = JSON.stringify(records);
    expect(text).not.toMatch(/eyJ[\w-]+\.[\w-]+\.[\w-]+/);
    expect(text).not.toMatch(/identityToken|secretAccessKey|sessionToken|ASIA[A-Z0-9]{12}/i);
  });
});
