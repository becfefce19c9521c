// The image under test: the pipe's, built from the project's Dockerfile by
// scripts/image/build.sh at the start of each container test file (the layer cache makes a
// rebuild take seconds, and the tests never run against a stale image), or
// PULSAR_GATE_TEST_IMAGE as it is (an image built elsewhere); the service's likewise, from
// deploy/service.Dockerfile (`build.sh service`), or PULSAR_GATE_TEST_SERVICE_IMAGE. Suites skip, saying why, only when there is no engine or no image; in CI
// they fail instead.
import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, inject, it } from 'vitest';
import { engineGet, qualifiedImage } from '../peers/pulsar/container.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const run = promisify(execFile);

export type ImageState =
  | { readonly ok: true; readonly name: string; readonly kind: 'docker' | 'podman' }
  | { readonly ok: false; readonly reason: string };

export async function imageBytes(name: string): Promise<number | undefined> {
  const res = await engineGet(`/images/${qualifiedImage(name)}/json`, 10_000);
  if (res?.status !== 200) return undefined;
  return (JSON.parse(res.body) as { Size?: number }).Size;
}

export type ImageTarget = 'pipe' | 'service';

/** Per target: the variable naming a prebuilt image, the variable build.sh names it by, its default. */
const TARGETS = {
  pipe: {
    preset: 'PULSAR_GATE_TEST_IMAGE',
    variable: 'PULSAR_GATE_IMAGE',
    name: 'localhost/pulsar-gate:local',
  },
  service: {
    preset: 'PULSAR_GATE_TEST_SERVICE_IMAGE',
    variable: 'PULSAR_GATE_SERVICE_IMAGE',
    name: 'localhost/pulsar-gate-service:local',
  },
} as const;

async function build(target: ImageTarget): Promise<ImageState> {
  const engine = inject('containerEngine');
  if (!engine.ok) return engine;
  Object.assign(process.env, engine.env);
  const names = TARGETS[target];
  const preset = process.env[names.preset];
  if (preset) {
    return (await imageBytes(preset)) === undefined
      ? { ok: false, reason: `${names.preset}=${preset} is not in the engine's image store` }
      : { ok: true, name: preset, kind: engine.kind };
  }
  const name = process.env[names.variable] ?? names.name;
  const log = `${ROOT}.reports/image-build${target === 'pipe' ? '' : `-${target}`}.log`;
  await mkdir(`${ROOT}.reports`, { recursive: true });
  try {
    const out = await run('bash', [`${ROOT}scripts/image/build.sh`, target], {
      cwd: ROOT,
      env: { ...process.env, PULSAR_GATE_ENGINE: engine.kind, [names.variable]: name },
      maxBuffer: 256 * 1024 * 1024,
      timeout: 15 * 60_000,
    });
    await writeFile(log, out.stderr + out.stdout);
    return { ok: true, name, kind: engine.kind };
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    await writeFile(log, stderr + stdout);
    // The first error lines say why (npm's come first); the last says at which step.
    const errors = stderr
      .split('\n')
      .filter((l) => /error/i.test(l) && !/complete log|^npm error\s*$/.test(l));
    const why = [...new Set([...errors.slice(0, 2), ...errors.slice(-1)])].join(' | ') || stderr.slice(-300);
    return {
      ok: false,
      reason: `the ${target} image could not be built (see ${log.slice(ROOT.length)}): ${why}`,
    };
  }
}

/** What a suite needs of the built image beyond its being there: undefined when it has it, else why not. */
export type ImageRequirement = (image: string) => Promise<string | undefined>;

/**
 * `describe` with the image's name, once the image is there (and meets `requires`). Otherwise
 * a skipped suite whose title carries the reason (and a console warning), or in CI a failing one.
 */
export async function describeWithImage(
  title: string,
  body: (image: string) => void,
  target: ImageTarget = 'pipe',
  requires?: ImageRequirement,
): Promise<void> {
  const built = await build(target);
  const missing = built.ok && requires ? await requires(built.name) : undefined;
  const state: ImageState = missing === undefined ? built : { ok: false, reason: missing };
  if (state.ok) {
    describe(title, () => body(state.name));
  } else if (process.env.CI === 'true') {
    describe(title, () => {
      it('has a container engine and the image (CI runs this suite)', () => {
        throw new Error(state.reason);
      });
    });
  } else {
    console.warn(`pulsar-gate: skipping "${title}": ${state.reason}`);
    describe.skip(`${title} (skipped: ${state.reason})`, () => body(''));
  }
}
