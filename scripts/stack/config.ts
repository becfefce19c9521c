// What each `serve` replica of the local stack is given: the operator's own serve variables
// (any that `pulsar-gate-service serve --help` lists, from the environment of `npm run stack`),
// over the stack's defaults (its broker, its keys, the example policies, a STATE_DIR each).
// Files the variables name are mounted read-only at the same path when replicas are containers.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SERVE_OPTIONS } from '../../cli/service/serve-options.ts';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Every variable serve reads (with the `_FILE` twins of its secrets), and its secrets' own. */
export function serveVariables(): { names: Set<string>; secrets: Set<string> } {
  const names = new Set<string>();
  const secrets = new Set<string>();
  for (const spec of Object.values(SERVE_OPTIONS)) {
    if (spec.env === undefined) continue;
    names.add(spec.env);
    if ('secret' in spec && spec.secret) {
      secrets.add(spec.env);
      names.add(`${spec.env}_FILE`);
    }
  }
  return { names, secrets };
}

/** Variables whose value is a path on this machine (mounted into containers). */
const PATHS = /(_FILE|^POLICY_DIR|^ENVIRONMENT_MAP|^DECISION_LOG)$/;

export interface StackConfig {
  /** Shared by every replica. */
  readonly env: Record<string, string>;
  /** Host paths the replicas read (mounted read-only at the same path in containers). */
  readonly files: string[];
  readonly replicas: number;
  readonly httpPort: number;
  readonly topics: string;
  readonly problems: string[];
}

export function stackConfig(
  env: NodeJS.ProcessEnv,
  defaults: { pulsarUrl: string; pulsarTokenFile?: string; keysDir: string },
): StackConfig {
  const given = Object.fromEntries(
    Object.entries(env).filter(
      (e): e is [string, string] => serveVariables().names.has(e[0]) && e[1] !== undefined,
    ),
  );
  // The stack owns these: each replica's STATE_DIR and port, and the broker it started.
  for (const owned of ['STATE_DIR', 'HTTP_HOST', 'HTTP_PORT']) delete given[owned];
  const merged: Record<string, string> = {
    PULSAR_URL: defaults.pulsarUrl,
    ...(defaults.pulsarTokenFile && !given.PULSAR_TOKEN && !given.OAUTH_ISSUER
      ? { PULSAR_TOKEN_FILE: defaults.pulsarTokenFile }
      : {}),
    TOPICS: 'persistent://public/default/pulsar-gate-requests',
    SIGNING_KEY_FILE: join(defaults.keysDir, 'service-key.json'),
    POLICY_DIR: join(ROOT, 'examples', 'policies'),
    ...given,
  };
  const problems: string[] = [];
  for (const required of ['OIDC_ISSUERS', 'OIDC_AUDIENCES']) {
    if (!merged[required])
      problems.push(
        `${required} is required: the issuer and audience of your Bitbucket workspace's step tokens`,
      );
  }
  if (!merged.BITBUCKET_TOKEN_FILE && !merged.BITBUCKET_TOKEN && !merged.ENVIRONMENT_MAP) {
    problems.push('BITBUCKET_TOKEN_FILE or ENVIRONMENT_MAP is required: where serve learns the environments');
  }
  const files: string[] = [];
  for (const [name, value] of Object.entries(merged)) {
    if (!PATHS.test(name) || value === '-') continue;
    merged[name] = resolve(value);
    if (!existsSync(merged[name])) problems.push(`${name}: ${value} does not exist`);
    files.push(merged[name]);
  }
  // serve's own default for the encryption keys: beside the signing key.
  if (!merged.ENCRYPTION_KEYS_FILE && merged.SIGNING_KEY_FILE) {
    files.push(join(resolve(merged.SIGNING_KEY_FILE, '..'), 'service-enc-keys.json'));
  }
  const replicas = Number(env.STACK_REPLICAS ?? '2');
  const httpPort = Number(env.STACK_HTTP_PORT ?? '9464');
  if (!Number.isInteger(replicas) || replicas < 1 || replicas > 9) problems.push('STACK_REPLICAS: 1–9');
  if (!Number.isInteger(httpPort) || httpPort < 1 || httpPort > 65_000)
    problems.push('STACK_HTTP_PORT: a port');
  return { env: merged, files, replicas, httpPort, topics: merged.TOPICS ?? '', problems };
}
