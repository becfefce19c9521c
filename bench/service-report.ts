// The tables bench/service.ts prints: medians of rounds, ratios beside absolute figures.
import { median, percentile } from './stats.ts';

interface Run {
  readonly latencies: number[];
  readonly perSecond: number;
  readonly cpuMsPerRequest: number;
}

const summary = (runs: readonly Run[]) => {
  const all = runs.flatMap((r) => r.latencies);
  return {
    perSecond: median(runs.map((r) => r.perSecond)),
    p50: percentile(all, 50),
    p99: percentile(all, 99),
    cpuMs: median(runs.map((r) => r.cpuMsPerRequest)),
  };
};

const LABELS: Record<string, string> = {
  echo: 'echo responder',
  service: 'service',
  audited: 'service + audit trail',
  replicas2: 'service, 2 replicas',
  replicas3: 'service, 3 replicas',
};

export function report(
  run: { readonly requests: number; readonly rounds: number; readonly concurrency: number },
  rigs: ReadonlyArray<{ readonly name: string; readonly runs: Record<string, Run[]> }>,
): void {
  const when = new Date().toISOString();
  console.log(
    `\n${run.requests} requests × ${run.rounds} rounds, ${run.concurrency} concurrent, ${when}, medians of rounds\n`,
  );
  // CPU: this process's (client, echo, every replica) per request; the echo's row is what the
  // client and a bare responder cost, so the difference is the service's own CPU per decision.
  console.log('| transport | figure | throughput | p50 | p99 | vs echo | CPU/request | CPU − echo |');
  console.log('|---|---|---|---|---|---|---|---|');
  const byName = new Map<string, Record<string, ReturnType<typeof summary>>>();
  for (const { name, runs } of rigs) {
    const s = Object.fromEntries(Object.entries(runs).map(([k, v]) => [k, summary(v)]));
    byName.set(name, s);
    const echo = s.echo;
    if (!echo) continue;
    for (const [what, label] of Object.entries(LABELS)) {
      const f = s[what];
      if (!f) continue;
      const ratio = what === 'echo' ? '—' : (f.perSecond / echo.perSecond).toFixed(2);
      const extra = what === 'echo' ? '—' : `${(f.cpuMs - echo.cpuMs).toFixed(2)} ms`;
      console.log(
        `| ${name} | ${label} | ${f.perSecond.toFixed(0)}/s | ${f.p50.toFixed(1)} ms | ${f.p99.toFixed(1)} ms | ${ratio} | ${f.cpuMs.toFixed(2)} ms | ${extra} |`,
      );
    }
  }
  console.log('\nOpen loop, at a share of the service maximum (the echo at the same offered load):\n');
  console.log('| transport | load | service p50 | service p99 | echo p50 | echo p99 | p99 service / echo |');
  console.log('|---|---|---|---|---|---|---|');
  for (const [name, s] of byName)
    for (const share of [50, 90]) {
      const svc = s[`service${share}`];
      const echo = s[`echo${share}`];
      if (!svc || !echo) continue;
      console.log(
        `| ${name} | ${share}% (${svc.perSecond.toFixed(0)}/s) | ${svc.p50.toFixed(1)} ms | ${svc.p99.toFixed(1)} ms | ${echo.p50.toFixed(1)} ms | ${echo.p99.toFixed(1)} ms | ${(svc.p99 / echo.p99).toFixed(2)}× |`,
      );
    }
  const ws = byName.get('websocket');
  const native = byName.get('native');
  if (!ws?.echo || !ws.service || !native?.echo || !native.service || !native.audited) return;
  const ratio = (a: number, b: number) => (a / b).toFixed(2);
  console.log(`\necho native / WebSocket: ${ratio(native.echo.perSecond, ws.echo.perSecond)}×`);
  console.log(
    `serve native / WebSocket: ${ratio(native.service.perSecond, ws.service.perSecond)}× (target ≥ 2)`,
  );
  console.log(
    `serve native / native echo: ${ratio(native.service.perSecond, native.echo.perSecond)} (target ≥ 0.6)`,
  );
  console.log(
    `serve native with / without audit: ${ratio(native.audited.perSecond, native.service.perSecond)} (target ≥ 0.7)`,
  );
}
