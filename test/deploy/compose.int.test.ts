// deploy/compose.yaml, read as Compose reads it (YAML merge keys resolved): two serve replicas
// on one subscription, each with its own STATE_DIR volume, non-root on a read-only root, only
// variables serve reads, secrets as files, and paths that exist. (No Compose engine here to
// run it: `npm run stack`, tested beside this, brings the same stack up.)
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, expect, it } from 'vitest';
import { serveVariables } from '../../scripts/stack/config.ts';
import { kubernetesValidator } from './manifests.ts';

const COMPOSE = fileURLToPath(new URL('../../deploy/compose.yaml', import.meta.url));

interface Service {
  image?: string;
  build?: { context: string; dockerfile: string };
  read_only?: boolean;
  user?: string;
  environment?: Record<string, string>;
  secrets?: string[];
  volumes?: string[];
  ports?: string[];
}
interface Compose {
  services: Record<string, Service>;
  secrets: Record<string, { file: string }>;
  volumes: Record<string, unknown>;
}

let compose: Compose;
beforeAll(async () => {
  const [loaded] = await (await kubernetesValidator()).load([COMPOSE]);
  compose = loaded as unknown as Compose;
}, 300_000);

const replicas = (): [string, Service][] =>
  Object.entries(compose.services).filter(([, s]) => s.environment?.SUBSCRIPTION !== undefined);

it('runs two serve replicas on one subscription, each with its own STATE_DIR volume', () => {
  expect(replicas().map(([name]) => name)).toEqual(['serve-1', 'serve-2']);
  expect(new Set(replicas().map(([, s]) => s.environment?.SUBSCRIPTION)).size).toBe(1);
  const state = replicas().map(
    ([, s]) => s.volumes?.find((v) => v.endsWith(':/var/lib/pulsar-gate'))?.split(':')[0],
  );
  expect(new Set(state).size).toBe(2);
  for (const volume of state) expect(compose.volumes).toHaveProperty(volume ?? 'missing');
  // Each replica's health port published on its own host port.
  expect(new Set(replicas().map(([, s]) => s.ports?.[0]?.split(':')[1])).size).toBe(2);
});

it('runs them non-root on a read-only root, from the service Dockerfile', () => {
  for (const [name, service] of replicas()) {
    expect(service.read_only, name).toBe(true);
    expect(service.user, name).toMatch(/^[1-9]\d*:[1-9]\d*$/);
    const build = service.build;
    expect(existsSync(join(dirname(COMPOSE), build?.context ?? '', build?.dockerfile ?? '')), name).toBe(
      true,
    );
  }
});

it('sets only variables serve reads, secrets as files, and reaches the broker by its service name', () => {
  const { names: known, secrets: secretOptions } = serveVariables();
  for (const [name, service] of replicas()) {
    const env = service.environment ?? {};
    expect(
      Object.keys(env).filter((k) => !known.has(k)),
      name,
    ).toEqual([]);
    expect(
      Object.keys(env).filter((k) => secretOptions.has(k)),
      name,
    ).toEqual([]);
    const fileVariables = Object.entries(env).filter(([k]) => k.endsWith('_FILE'));
    expect(fileVariables.length, name).toBeGreaterThanOrEqual(3);
    for (const [variable, path] of fileVariables) {
      const secret = path.replace(/^\/run\/secrets\//, '');
      expect(service.secrets, `${name} ${variable}`).toContain(secret);
      expect(compose.secrets, variable).toHaveProperty([secret]);
    }
    const broker = new URL(env.PULSAR_URL ?? '');
    expect(Object.keys(compose.services)).toContain(broker.hostname);
    expect(broker.port).toBe('8080');
    const policies = service.volumes?.find((v) => v.includes(`:${env.POLICY_DIR}:`));
    const hostPath = /\$\{POLICY_DIR:-([^}]+)\}/.exec(policies ?? '')?.[1] ?? '';
    expect(existsSync(join(dirname(COMPOSE), hostPath, 'schema.cedarschema')), name).toBe(true);
  }
});
