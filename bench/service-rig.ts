// One transport's side of bench/service.ts: an echo responder (consumes and replies, no
// verification, no policy), the decision service without and with the audit trail, and a
// client, all over the same transport against the same broker.
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditLog } from '../src/audit/audit-log.ts';
import { createCheckpointSigner } from '../src/audit/checkpoint.ts';
import { createPulsarMirror } from '../src/audit/pulsar-mirror.ts';
import { systemClock } from '../src/time.ts';
import { openTransport } from '../src/transport/open.ts';
import { startEcho } from './echo-responder.ts';
import { type ReplicaOptions, startReplica } from './rig-replica.ts';

export interface RigOptions extends ReplicaOptions {
  readonly url: string;
  readonly token: string | undefined;
}

export async function startRig(o: RigOptions) {
  const run = randomUUID().slice(0, 8);
  const transport = openTransport({ url: o.url, token: o.token });
  const echoTopic = `bench-echo-${run}`;
  const echo = await startEcho(transport, echoTopic, o.concurrency);
  const auditDir = await mkdtemp(join(tmpdir(), 'pulsar-gate-bench-audit-'));
  const audit = await AuditLog.open({
    dir: auditDir,
    mirrors: [createPulsarMirror(transport, `bench-audit-${run}`)],
    signer: await createCheckpointSigner(o.key),
    auditedEnvironments: ['*'],
    mirrorTimeoutMs: 10_000,
    checkpointIntervalMs: 60_000,
    clock: systemClock,
    log: () => {},
  });
  const serviceTopic = `bench-service-${run}`;
  const auditedTopic = `bench-audited-${run}`;
  const service = await startReplica(o, transport, serviceTopic, undefined);
  const audited = await startReplica(o, transport, auditedTopic, audit);
  // 2 and 3 replicas of the service (no audit trail) on one request topic, each replica with a
  // connection of its own, as separate processes would have (Key_Shared splits the steps).
  const replicas = await Promise.all(
    [2, 3].map(async (count) => {
      const topic = `bench-replicas${count}-${run}`;
      const own = Array.from({ length: count }, () => openTransport({ url: o.url, token: o.token }));
      const services = await Promise.all(own.map((t) => startReplica(o, t, topic, undefined)));
      return { topic, own, services };
    }),
  );
  const client = openTransport({ url: o.url, token: o.token });
  return {
    client,
    topics: {
      echo: echoTopic,
      service: serviceTopic,
      audited: auditedTopic,
      replicas2: replicas[0]?.topic ?? '',
      replicas3: replicas[1]?.topic ?? '',
    },
    async stop() {
      await echo.stop();
      await service.stop();
      await audited.stop();
      for (const r of replicas) {
        await Promise.all(r.services.map((s) => s.stop()));
        await Promise.all(r.own.map((t) => t.close()));
      }
      await audit.close();
      await rm(auditDir, { recursive: true, force: true });
      await client.close();
      await transport.close();
    },
  };
}
