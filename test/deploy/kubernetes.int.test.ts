// deploy/kubernetes/ against the Kubernetes JSON schemas (strict: an unknown field is an
// error), and what no schema can see: every variable is one `serve` reads, no secret is an
// environment variable, probes, port and scrape annotations agree, the pod runs non-root on a
// read-only root filesystem, and the policies ConfigMap is examples/policies.
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { serveVariables } from '../../scripts/stack/config.ts';
import { POLICY_DIR } from '../support/service-fixture.ts';
import { kubernetesValidator, type Manifest, manifestFiles, type Validator } from './manifests.ts';

interface Container {
  env: { name: string; value?: string }[];
  envFrom: { configMapRef: { name: string } }[];
  ports: { name: string; containerPort: number }[];
  startupProbe: { httpGet: { path: string; port: string } };
  livenessProbe: { httpGet: { path: string; port: string } };
  readinessProbe: { httpGet: { path: string; port: string } };
  resources: { requests: Record<string, string>; limits: Record<string, string> };
  securityContext: {
    readOnlyRootFilesystem: boolean;
    runAsNonRoot: boolean;
    allowPrivilegeEscalation: boolean;
  };
  volumeMounts: { name: string; mountPath: string }[];
}
interface PodTemplate {
  metadata: { labels: Record<string, string>; annotations: Record<string, string> };
  spec: {
    securityContext: { runAsNonRoot: boolean; runAsUser: number };
    containers: Container[];
    volumes: { name: string; secret?: { secretName: string }; configMap?: { name: string } }[];
  };
}

/** Two supported minor versions: the validator's newest, and an older one still in wide use. */
const VERSIONS = ['1.37', '1.30'];

let validator: Validator;
let files: { applied: string[]; secret: string[] };
let manifests: Manifest[];
const find = (kind: string, name?: string): Manifest => {
  const found = manifests.find((m) => m.kind === kind && (name === undefined || m.metadata.name === name));
  if (!found) throw new Error(`no ${kind} ${name ?? ''} in deploy/kubernetes`);
  return found;
};
const pod = (): PodTemplate => (find('StatefulSet').spec as { template: PodTemplate }).template;
const serve = (): Container => {
  const container = pod().spec.containers[0];
  if (!container) throw new Error('the StatefulSet has no container');
  return container;
};

beforeAll(async () => {
  validator = await kubernetesValidator();
  files = await manifestFiles();
  manifests = await validator.load([...files.applied, ...files.secret]);
}, 300_000);

describe('deploy/kubernetes against the Kubernetes schemas', () => {
  it.each(VERSIONS)('every manifest validates strictly against Kubernetes %s', async (version) => {
    const result = await validator.validate([...files.applied, ...files.secret], version);
    expect(result.output).not.toMatch(/ERROR|WARN/);
    expect(result.code).toBe(0);
    expect(result.output.match(/passed for resource/g)).toHaveLength(manifests.length);
  });

  it('refuses a manifest with a misspelt field or a wrong type, naming it', async () => {
    const text = await readFile(files.applied.find((f) => f.endsWith('statefulset.yaml')) ?? '', 'utf8');
    const broken = join(tmpdir(), `statefulset-broken-${process.pid}.yaml`);
    await writeFile(broken, text.replace('periodSeconds: 15', 'periodSecond: 15'));
    const misspelt = await validator.validate([broken], VERSIONS[0] ?? '');
    expect(misspelt.code).not.toBe(0);
    expect(misspelt.output).toMatch(/livenessProbe.*'periodSecond' was unexpected/);
    await writeFile(broken, text.replace('replicas: 2', 'replicas: two'));
    const mistyped = await validator.validate([broken], VERSIONS[0] ?? '');
    expect(mistyped.code).not.toBe(0);
    expect(mistyped.output).toMatch(/spec\.replicas: 'two' is not of type 'integer'/);
  });
});

describe('deploy/kubernetes as serve reads it', () => {
  it('sets only variables serve reads, and no secret as a value (secrets are files)', () => {
    const { names: known, secrets } = serveVariables();
    const config = find('ConfigMap', serve().envFrom[0]?.configMapRef.name).data as Record<string, string>;
    const names = [...Object.keys(config), ...serve().env.map((e) => e.name)];
    expect(names.filter((n) => !known.has(n))).toEqual([]);
    expect(names.filter((n) => secrets.has(n))).toEqual([]);
    // Each *_FILE names a file in a volume mounted from the Secret or the policies ConfigMap.
    const mounts = serve().volumeMounts;
    const secretVolume = pod().spec.volumes.find((v) => v.secret)?.name;
    const secretKeys = Object.keys(find('Secret').stringData as Record<string, string>);
    const files = serve().env.filter((e) => e.name.endsWith('_FILE'));
    expect(files.map((e) => e.name).sort()).toEqual(
      ['BITBUCKET_TOKEN_FILE', 'ENCRYPTION_KEYS_FILE', 'PULSAR_TOKEN_FILE', 'SIGNING_KEY_FILE'].sort(),
    );
    for (const { name, value = '' } of files) {
      const mount = mounts.find((m) => value.startsWith(`${m.mountPath}/`));
      expect(mount?.name, name).toBe(secretVolume);
      expect(secretKeys, name).toContain(value.slice((mount?.mountPath.length ?? 0) + 1));
    }
    expect(find('Secret').metadata.name).toBe(pod().spec.volumes.find((v) => v.secret)?.secret?.secretName);
  });

  it('listens on 0.0.0.0:9464, probed on /healthz and /readyz, scraped at /metrics', () => {
    const env = Object.fromEntries(serve().env.map((e) => [e.name, e.value]));
    expect(env.HTTP_HOST).toBe('0.0.0.0');
    const port = serve().ports[0];
    expect(String(port?.containerPort)).toBe(env.HTTP_PORT);
    const { startupProbe, livenessProbe, readinessProbe } = serve();
    expect([startupProbe, livenessProbe, readinessProbe].map((p) => p.httpGet.port)).toEqual(
      Array(3).fill(port?.name),
    );
    expect(livenessProbe.httpGet.path).toBe('/healthz');
    expect(readinessProbe.httpGet.path).toBe('/readyz');
    expect(pod().metadata.annotations).toMatchObject({
      'prometheus.io/scrape': 'true',
      'prometheus.io/port': env.HTTP_PORT,
      'prometheus.io/path': '/metrics',
    });
  });

  it('runs non-root on a read-only root filesystem, with resources, a PDB and per-replica state', () => {
    expect(pod().spec.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000 });
    expect(serve().securityContext).toMatchObject({
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      allowPrivilegeEscalation: false,
    });
    expect(Object.keys(serve().resources.requests).sort()).toEqual(['cpu', 'memory']);
    expect(serve().resources.limits.memory).toBeDefined();
    const labels = pod().metadata.labels;
    for (const kind of ['PodDisruptionBudget', 'Service']) {
      const spec = find(kind).spec as {
        selector: { matchLabels?: Record<string, string> } & Record<string, string>;
      };
      expect(labels, kind).toMatchObject(spec.selector.matchLabels ?? spec.selector);
    }
    const statefulSet = find('StatefulSet').spec as { replicas: number; volumeClaimTemplates: Manifest[] };
    expect(statefulSet.replicas).toBeGreaterThanOrEqual(2);
    const env = Object.fromEntries(serve().env.map((e) => [e.name, e.value]));
    const state = serve().volumeMounts.find((m) => m.mountPath === env.STATE_DIR);
    expect(statefulSet.volumeClaimTemplates.map((t) => t.metadata.name)).toContain(state?.name);
  });

  it('holds examples/policies in the policies ConfigMap, file for file', async () => {
    const data = find('ConfigMap', 'pulsar-gate-policies').data as Record<string, string>;
    const mounted = pod().spec.volumes.find((v) => v.configMap?.name === 'pulsar-gate-policies');
    const env = Object.fromEntries(serve().env.map((e) => [e.name, e.value]));
    expect(serve().volumeMounts.find((m) => m.name === mounted?.name)?.mountPath).toBe(env.POLICY_DIR);
    // What serve loads from a policy directory: the Cedar files, the schema and the groups.
    const loaded = (await readdir(POLICY_DIR)).filter(
      (f) => f.endsWith('.cedar') || f === 'schema.cedarschema' || f === 'groups.json',
    );
    expect(Object.keys(data).sort()).toEqual(loaded.sort());
    for (const [file, text] of Object.entries(data)) {
      expect(text, file).toBe(await readFile(join(POLICY_DIR, file), 'utf8'));
    }
  });
});
