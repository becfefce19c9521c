import type { OptionSpec, OptionTable } from './spec.ts';

/** A config file's settings under the variable names of a command's table, and where they came from. */
export interface ConfigFile {
  readonly path: string;
  readonly values: Readonly<Record<string, string>>;
}

/** What loading a config file gave: its settings, and every problem with it, one line each. */
export interface LoadedConfig {
  readonly file: ConfigFile | undefined;
  readonly problems: readonly string[];
}

/**
 * A config file (`serve --config serve.yaml`) holds the same options as the environment,
 * under the same names (`TOPICS`, `PULSAR_URL`, …): one schema, the command's option table,
 * whose parsers then check each value exactly as they check a variable (the document itself
 * is read by the option's `configFile` function: YAML or JSON). A secret may appear only
 * as its `X_FILE` path, never as a value: a config file is a ConfigMap, copied and diffed.
 * Lists may be YAML sequences; scalars are taken as their text.
 */
export function loadConfigFile(
  path: string,
  table: OptionTable,
  read: (path: string) => string,
  parse: (text: string, path: string) => unknown,
): LoadedConfig {
  let document: unknown;
  try {
    document = parse(read(path), path);
  } catch (error) {
    const why =
      error instanceof Error && 'code' in error && typeof error.code === 'string'
        ? error.code
        : error instanceof Error
          ? error.message.split('\n')[0]
          : 'unreadable';
    return { file: undefined, problems: [`${path}: cannot read it as a config file (${why})`] };
  }
  if (document === null || typeof document !== 'object' || Array.isArray(document))
    return { file: undefined, problems: [`${path}: must be a mapping of option names to values`] };
  const names = namesOf(table);
  const values: Record<string, string> = {};
  const problems: string[] = [];
  for (const [key, value] of Object.entries(document)) {
    const known = names.get(key);
    if (known === undefined || known.kind === 'config') {
      problems.push(`${path}: ${key}: is not a setting of this command (its variable names: --help)`);
      continue;
    }
    if (known.kind === 'secret') {
      problems.push(
        `${path}: ${key}: a secret is not taken from a config file (never echoed: the value is not shown); give ${key}_FILE, a file holding it`,
      );
      continue;
    }
    if (value === null) continue;
    const text = scalarText(value);
    if (text === undefined)
      problems.push(`${path}: ${key}: must be text, a number, a boolean or a list of them`);
    else values[key] = text;
  }
  return { file: { path, values: Object.freeze(values) }, problems };
}

type Name = { readonly kind: 'plain' | 'secret' | 'secret-file' | 'config'; readonly spec: OptionSpec };

/** Every name a file may use: each option's variable, and each secret's `_FILE` twin. */
function namesOf(table: OptionTable): Map<string, Name> {
  const names = new Map<string, Name>();
  for (const spec of Object.values(table)) {
    if (spec.env === undefined) continue;
    if (spec.configFile) names.set(spec.env, { kind: 'config', spec });
    else if (spec.secret) {
      names.set(spec.env, { kind: 'secret', spec });
      names.set(`${spec.env}_FILE`, { kind: 'secret-file', spec });
    } else names.set(spec.env, { kind: 'plain', spec });
  }
  return names;
}

function scalarText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) {
    const items = value.map(scalarText);
    // A list option reads commas; an item holding one would split into two.
    if (items.some((item) => item === undefined || item.includes(','))) return undefined;
    return items.join(',');
  }
  return undefined;
}
