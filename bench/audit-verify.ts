// `audit verify` on a 100 000-record trail (issue 15): the whole command on a file (parse,
// hash chain, RFC 9162 tree, every signed tree head and consistency proof), beside a baseline
// in the same run — plain SHA-256 over the same lines — interleaved, medians reported.
// Usage: node bench/audit-verify.ts [records, default 100000] (BENCH_RUNS, default 5).
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { auditVerifyCommand } from '../cli/admin/audit/audit-command.ts';
import { createCheckpointSigner } from '../src/audit/checkpoint.ts';
import { TrailFile } from '../src/audit/trail-file.ts';
import { generateServiceKey } from '../src/keys/service-keys.ts';
import { sampleRecord } from '../test/audit/trail-fixture.ts';
import { median } from './stats.ts';

const records = Number(process.argv[2] ?? 100_000);
const runs = Number(process.env.BENCH_RUNS ?? 5);
/** A busy service's checkpoint interval holds about this many decisions. */
const PER_CHECKPOINT = 1_000;

/** The tests' record (verified identity, environment and pipeline; asked; verdict), one in five a deny. */
const record = (n: number) => sampleRecord(n, { verdict: n % 5 ? 'allow' : 'deny' });

const dir = await mkdtemp(join(tmpdir(), 'pulsar-gate-bench-audit-'));
const { privateJwk, publicJwks } = await generateServiceKey();
const signer = await createCheckpointSigner(privateJwk);
const trail = await TrailFile.open(dir);
const at = '2026-11-24T12:00:00.000Z';
await trail.append((h) => signer.sign({ v: 1, ...h, at, type: 'genesis', kid: signer.kid }));
for (let done = 0; done < records; done += PER_CHECKPOINT) {
  const batch: Promise<unknown>[] = [];
  for (let n = done; n < Math.min(records, done + PER_CHECKPOINT); n++)
    batch.push(trail.append((h) => ({ v: 1, ...h, at, type: 'decision', record: record(n) })));
  batch.push(trail.append((h) => signer.sign({ v: 1, ...h, at, type: 'checkpoint', ...trail.treeHead() })));
  await Promise.all(batch);
}
await trail.close();
const keys = join(dir, 'decision-keys.json');
await writeFile(keys, JSON.stringify(publicJwks));
const bytes = (await readFile(trail.path)).length;

/** The baseline: read the same file and SHA-256 every line, nothing else. */
async function sha256Lines(): Promise<number> {
  const text = await readFile(trail.path, 'utf8');
  let n = 0;
  for (const line of text.split('\n')) if (line) n += createHash('sha256').update(line).digest()[0] ?? 0;
  return n;
}

async function verify(): Promise<void> {
  const out: string[] = [];
  const exit = await auditVerifyCommand(
    { file: trail.path, keys },
    { write: (t) => void out.push(t), env: {}, cwd: dir },
  );
  if (exit !== 0) throw new Error(`audit verify exited ${exit}: ${out.join('')}`);
}

/** Wall time and this process's CPU time (user + system) of one run, in ms: the machine is shared. */
async function timed(run: () => Promise<unknown>): Promise<{ wall: number; cpu: number }> {
  const [t, c] = [performance.now(), process.cpuUsage()];
  await run();
  const used = process.cpuUsage(c);
  return { wall: performance.now() - t, cpu: (used.user + used.system) / 1000 };
}

const subject: { wall: number; cpu: number }[] = [];
const baseline: { wall: number; cpu: number }[] = [];
for (let i = 0; i < runs; i++) {
  subject.push(await timed(verify));
  baseline.push(await timed(sha256Lines));
}
await rm(dir, { recursive: true });

const entries = records + 1 + Math.ceil(records / PER_CHECKPOINT);
const s = median(subject.map((r) => r.wall));
const b = median(baseline.map((r) => r.wall));
const sc = median(subject.map((r) => r.cpu));
const bc = median(baseline.map((r) => r.cpu));
console.log(
  `${runs} runs each, ${new Date().toISOString()}, node ${process.version}, ${cpus().length} cores (${cpus()[0]?.model ?? '?'})`,
);
console.log(
  `${records} records, ${entries} entries, ${(bytes / 1e6).toFixed(1)} MB, a signed tree head every ${PER_CHECKPOINT}`,
);
console.log('| figure | audit verify (median) | SHA-256 of every line (median) | ratio |');
console.log('|---|---|---|---|');
const figure = (name: string, x: number, y: number, unit: (v: number) => string) =>
  console.log(`| ${name} | ${unit(x)} | ${unit(y)} | ${(x / y).toFixed(1)}× |`);
const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const perRecord = (ms: number) => `${((ms * 1000) / records).toFixed(1)} µs`;
figure('whole trail, wall', s, b, seconds);
figure('whole trail, CPU (user + system)', sc, bc, seconds);
figure('per record, wall', s, b, perRecord);
figure('per record, CPU', sc, bc, perRecord);
