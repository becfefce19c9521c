// The decision service's image as an operator runs it: read-only root filesystem, keys,
// policies and secrets mounted read-only, STATE_DIR a volume, answering a real pipe (as a
// process) through the real broker, its probes and metrics reached from outside loopback.
import { stat } from 'node:fs/promises';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { engineGet, qualifiedImage } from '../peers/pulsar/container.ts';
import { type PipeFixture, pipeFixture } from '../support/pipe-fixture.ts';
import { expectSampleVerdicts } from '../support/served-verdicts.ts';
import { topicName } from '../transport/contract.ts';
import { LIST_PACKAGES, runtimeClosure } from './image-packages.ts';
import { describeWithImage, imageBytes } from './pipe-image.ts';
import type { RunningService } from './service-container.ts';
import { IMAGE_UID, nativeClientOf, type ServiceOperator, serviceOperator } from './service-operator.ts';

/** An address of this host other than loopback: what a kubelet or Prometheus would use. */
function outsideAddress(): string | undefined {
  return Object.values(networkInterfaces())
    .flat()
    .find((a) => a !== undefined && a.family === 'IPv4' && !a.internal)?.address;
}

interface ImageConfig {
  User?: string;
  Entrypoint?: string[];
  Cmd?: string[];
  Env?: string[];
  Volumes?: Record<string, unknown>;
  Healthcheck?: { Test?: string[] };
}

async function imageConfig(image: string): Promise<ImageConfig> {
  const res = await engineGet(`/images/${qualifiedImage(image)}/json`, 10_000);
  const body = JSON.parse(res?.body ?? '{}') as {
    Config?: ImageConfig;
    ContainerConfig?: ImageConfig;
    Healthcheck?: ImageConfig['Healthcheck'];
  };
  // Docker reports the HEALTHCHECK in Config; podman's compatible API (4.x) beside it.
  const healthcheck = body.Config?.Healthcheck ?? body.ContainerConfig?.Healthcheck ?? body.Healthcheck;
  return { ...body.Config, ...(healthcheck ? { Healthcheck: healthcheck } : {}) };
}

await describeWithImage(
  'the service image, run as an operator runs it',
  (image) => {
    let fixture: PipeFixture;
    let operator: ServiceOperator;
    let service: RunningService;
    let native = '';
    const topic = topicName('service-image');

    beforeAll(async () => {
      native = await nativeClientOf(image);
      fixture = await pipeFixture();
      operator = await serviceOperator(fixture);
      service = await operator.start(image, fixture.broker.webSocketUrl, topic);
    }, 180_000);
    afterAll(async () => {
      await service?.stop();
      await fixture?.close();
      await operator?.close();
    });

    it('answers a real pipe: a staging step allowed, a feature branch denied production', async () => {
      await expectSampleVerdicts(fixture, topic, join(operator.keysDir, 'decision-keys.json'));
      // The decisions and the audit trail went to the STATE_DIR volume, written as the image's user.
      const audit = await stat(join(operator.stateDir, 'audit'));
      expect(audit.uid).toBe(IMAGE_UID);
      expect(await service.logs()).not.toMatch(/eyJ[\w-]+\.eyJ/);
    });

    it('serves /healthz, /readyz and /metrics on an address other than loopback (HTTP_HOST 0.0.0.0)', async () => {
      const host = outsideAddress();
      expect(host, 'this host has a non-loopback IPv4 address').toBeDefined();
      const base = `http://${host}:${service.port}`;
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
      expect((await fetch(`${base}/readyz`)).status).toBe(200);
      const metrics = await (await fetch(`${base}/metrics`)).text();
      expect(metrics).toMatch(/pulsar_gate_decisions_total\{verdict="allow"\} [1-9]/);
      // The image's HEALTHCHECK, run inside the container as the engine runs it (podman runs
      // none by itself without systemd). Podman's compatible API reports it on the container.
      const res = await engineGet(`/containers/${service.container.getId()}/json`, 10_000);
      const running = JSON.parse(res?.body ?? '{}') as { Config?: ImageConfig };
      const test = running.Config?.Healthcheck?.Test ?? (await imageConfig(image)).Healthcheck?.Test ?? [];
      expect(test[0]).toBe('CMD');
      expect((await service.container.exec(test.slice(1))).exitCode).toBe(0);
    });

    it('runs as a non-root user on a read-only root filesystem, writing only STATE_DIR', async () => {
      expect((await service.container.exec(['id', '-u'])).stdout.trim()).toBe(String(IMAGE_UID));
      // (podman mounts a tmpfs on /tmp and /run under --read-only; Kubernetes does not.)
      for (const path of ['/service/x', '/etc/x', '/x']) {
        const touched = await service.container.exec(['touch', path]);
        expect(touched.exitCode, path).not.toBe(0);
        expect(touched.output, path).toMatch(/Read-only file system/);
      }
      const config = await imageConfig(image);
      expect(config.User).toBe('node');
      expect(config.Entrypoint).toEqual(['node', '/service/dist/pulsar-gate-service.mjs']);
      expect(config.Cmd).toEqual(['serve']);
      expect(config.Env).toEqual(
        expect.arrayContaining(['HTTP_HOST=0.0.0.0', 'STATE_DIR=/var/lib/pulsar-gate']),
      );
      expect(Object.keys(config.Volumes ?? {})).toEqual(['/var/lib/pulsar-gate']);
    });

    it('holds the bundle, Cedar and the native client, and no dev dependency, test code, sources or package manager', async () => {
      // One line per finding; an empty output is a clean image.
      const audit = await service.container.exec([
        'sh',
        '-c',
        `${LIST_PACKAGES} | sed 's/^/package /'
for c in npm npx corepack yarn gcc make python3; do command -v "$c" >/dev/null && echo "command $c"; done
find / -xdev \\( \\( -name '*.ts' ! -name '*.d.ts' \\) -o -name '*.test.*' -o -name vitest -o -name typescript -o -name esbuild \\
  -o -name testcontainers -o -name oidc-provider -o -name '@biomejs' -o -name '@aws-sdk' -o -name .npm \\) -print 2>/dev/null | sed 's/^/found /'
grep -l -E "from 'vitest'|test/peers|oidc-provider" -r /service/dist | sed 's/^/test code in /'
[ -s /service/dist/pulsar-gate-service.mjs ] || echo "missing the bundle"
[ -e /build ] && echo "leftover /build"
true`,
      ]);
      expect(audit.stderr).toBe('');
      // Cedar's wasm, and pulsar-client with exactly its runtime closure when the build found a
      // native client (scripts/image/native-runtime.sh), at the lock's locations.
      const packages = [
        'node_modules/@cedar-policy/cedar-wasm',
        ...(native === 'none' ? [] : runtimeClosure('pulsar-client')),
      ];
      expect(audit.stdout.trim().split('\n').filter(Boolean)).toEqual(
        packages.sort().map((p) => `package ${p}`),
      );
      const size = await imageBytes(image);
      console.log(`pulsar-gate: ${image} ${((size ?? 0) / 1e6).toFixed(1)} MB`);
    });
  },
  'service',
);
