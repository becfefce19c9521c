// The decision service's image as an operator runs it: read-only root filesystem, keys,
// policies and secrets mounted read-only, STATE_DIR a volume, answering a real pipe (as a
// process) through the real broker, its probes and metrics reached from outside loopback.
import { chmod, chown, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { engineGet, qualifiedImage } from '../peers/pulsar/container.ts';
import { freePort } from '../peers/pulsar/ports.ts';
import { type PipeFixture, pipeFixture } from '../support/pipe-fixture.ts';
import { runPipe } from '../support/run-pipe.ts';
import { expectSampleVerdicts } from '../support/served-verdicts.ts';
import { POLICY_DIR } from '../support/service-fixture.ts';
import { topicName } from '../transport/contract.ts';
import { describeWithImage, imageBytes } from './pipe-image.ts';
import { type RunningService, startServiceContainer } from './service-container.ts';

/** The image's user (node, from the base image). */
const IMAGE_UID = 1000;

/** Files the container reads must be readable by its user, as an operator's would be. */
async function handTo(path: string): Promise<void> {
  if (process.getuid?.() === 0) await chown(path, IMAGE_UID, IMAGE_UID);
  else await chmod(path, (await stat(path)).isDirectory() ? 0o755 : 0o644);
}

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
    let service: RunningService;
    const dirs: string[] = [];
    const topic = topicName('service-image');
    let keysDir = '';
    let stateDir = '';

    beforeAll(async () => {
      fixture = await pipeFixture();
      const dir = async (prefix: string): Promise<string> => {
        const made = await mkdtemp(join(tmpdir(), prefix));
        dirs.push(made);
        return made;
      };
      keysDir = await dir('service-image-keys-');
      const generate = await runPipe({}, { cwd: keysDir, args: ['keys', 'generate', '--out', keysDir] });
      expect(generate.code).toBe(0);
      const secrets = await dir('service-image-secrets-');
      await writeFile(join(secrets, 'pulsar-token'), fixture.broker.adminToken ?? '', { mode: 0o600 });
      await writeFile(join(secrets, 'bitbucket-token'), fixture.world.bitbucket.BITBUCKET_TOKEN ?? '', {
        mode: 0o600,
      });
      for (const mounted of [keysDir, secrets]) {
        await handTo(mounted);
        for (const file of await readdir(mounted)) await handTo(join(mounted, file));
      }
      stateDir = await dir('service-image-state-');
      await handTo(stateDir);
      const { issuer } = fixture.world;
      service = await startServiceContainer(image, {
        env: {
          PULSAR_URL: fixture.broker.webSocketUrl,
          PULSAR_TOKEN_FILE: '/run/secrets/pulsar-token',
          TOPICS: topic,
          SIGNING_KEY_FILE: '/etc/pulsar-gate/keys/service-key.json',
          POLICY_DIR: '/etc/pulsar-gate/policies',
          OIDC_ISSUERS: issuer.url,
          OIDC_AUDIENCES: issuer.audience,
          ALLOW_INSECURE_ISSUER: 'true',
          BITBUCKET_API_URL: fixture.world.bitbucket.BITBUCKET_API_URL ?? '',
          BITBUCKET_TOKEN_FILE: '/run/secrets/bitbucket-token',
        },
        readOnly: {
          [keysDir]: '/etc/pulsar-gate/keys',
          [POLICY_DIR]: '/etc/pulsar-gate/policies',
          [secrets]: '/run/secrets',
        },
        stateDir,
        port: await freePort(),
      });
    }, 180_000);
    afterAll(async () => {
      await service?.stop();
      await fixture?.close();
      await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
    });

    it('answers a real pipe: a staging step allowed, a feature branch denied production', async () => {
      await expectSampleVerdicts(fixture, topic, join(keysDir, 'decision-keys.json'));
      // The decisions and the audit trail went to the STATE_DIR volume, written as the image's user.
      const audit = await stat(join(stateDir, 'audit'));
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

    it('holds the bundle and Cedar, and no dev dependency, test code, sources or package manager', async () => {
      // One line per finding; an empty output is a clean image.
      const audit = await service.container.exec([
        'sh',
        '-c',
        `cd /service/node_modules && find . -mindepth 1 -maxdepth 2 -type d ! -name '@*' | sed 's/^/package /'
for c in npm npx corepack yarn gcc make python3; do command -v "$c" >/dev/null && echo "command $c"; done
find / -xdev \\( \\( -name '*.ts' ! -name '*.d.ts' \\) -o -name '*.test.*' -o -name vitest -o -name typescript -o -name esbuild \\
  -o -name testcontainers -o -name oidc-provider -o -name '@biomejs' -o -name '@aws-sdk' -o -name .npm \\) -print 2>/dev/null | sed 's/^/found /'
grep -l -E "from 'vitest'|test/peers|oidc-provider" -r /service/dist | sed 's/^/test code in /'
[ -s /service/dist/pulsar-gate-service.mjs ] || echo "missing the bundle"
[ -e /build ] && echo "leftover /build"
true`,
      ]);
      expect(audit.stderr).toBe('');
      expect(audit.stdout.trim().split('\n').filter(Boolean)).toEqual(['package ./@cedar-policy/cedar-wasm']);
      const size = await imageBytes(image);
      console.log(`pulsar-gate: ${image} ${((size ?? 0) / 1e6).toFixed(1)} MB`);
    });
  },
  'service',
);
