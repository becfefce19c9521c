// Reads and validates the Kubernetes manifests with PyPI's kubernetes-validate (the
// Kubernetes OpenAPI schemas ship in its wheel: no download at run time), installed into a
// cached venv by kubernetes-validate-venv.sh. Its PyYAML also turns them into JSON for the
// checks a schema cannot make.
import { execFile } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { runProcess } from '../support/run-process.ts';

const run = promisify(execFile);
const VENV_SCRIPT = fileURLToPath(new URL('kubernetes-validate-venv.sh', import.meta.url));
export const KUBERNETES_DIR = fileURLToPath(new URL('../../deploy/kubernetes/', import.meta.url));

/** The manifests `kubectl apply -f deploy/kubernetes/` applies, and the Secret template beside them. */
export async function manifestFiles(): Promise<{ applied: string[]; secret: string[] }> {
  const yaml = (names: string[], dir: string) =>
    names.filter((n) => n.endsWith('.yaml')).map((n) => `${dir}${n}`);
  return {
    applied: yaml(await readdir(KUBERNETES_DIR), KUBERNETES_DIR),
    secret: yaml(await readdir(`${KUBERNETES_DIR}secret`), `${KUBERNETES_DIR}secret/`),
  };
}

export interface Validator {
  /** kubernetes-validate --strict (unknown fields refused) against one Kubernetes version. */
  validate(files: string[], version: string): Promise<{ code: number; output: string }>;
  /** Every YAML document of the files, as JSON. */
  load(files: string[]): Promise<Manifest[]>;
}

export interface Manifest {
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly labels?: Record<string, string> };
  readonly [field: string]: unknown;
}

export async function kubernetesValidator(): Promise<Validator> {
  const bin = (await run('bash', [VENV_SCRIPT], { timeout: 5 * 60_000 })).stdout.trim();
  return {
    async validate(files, version) {
      const out = await runProcess(`${bin}/kubernetes-validate`, ['--strict', '-k', version, ...files]);
      return { code: out.code, output: out.stdout + out.stderr };
    },
    async load(files) {
      const script =
        'import json, sys, yaml\n' +
        'docs = [d for f in sys.argv[1:] for d in yaml.safe_load_all(open(f)) if d is not None]\n' +
        'print(json.dumps(docs))';
      const out = await run(`${bin}/python`, ['-c', script, ...files]);
      return JSON.parse(out.stdout) as Manifest[];
    },
  };
}
