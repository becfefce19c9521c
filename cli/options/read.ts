import { readFileSync } from 'node:fs';
import { GateError } from '../../src/errors.ts';
import { camel } from './camel.ts';
import { type ConfigFile, loadConfigFile } from './config-file.ts';
import { fileNameOf, nameOf, problemLine } from './problem.ts';
import type { Loose, OptionSource, OptionSpec, OptionTable, Rule, Values } from './spec.ts';

/** Either every option's typed value, frozen, or every problem found, one line each. */
export type Read<T> =
  | { readonly ok: true; readonly values: T }
  | { readonly ok: false; readonly problems: readonly string[] };

/** Reads a secret's file; a port so that tests need no unreadable files. */
export type ReadText = (path: string) => string;

const readText: ReadText = (path) => readFileSync(path, 'utf8');

/** Text as given, where it came from, and under which name a problem about it is filed. */
interface Raw {
  readonly text: string | undefined;
  readonly label: string;
  /** A problem was already filed (unreadable file, both forms given): not "required" too. */
  readonly reported?: true;
}

/** The raw text's sources: flags, the environment, and the config file where the table has one. */
type From = OptionSource & { readonly file?: ConfigFile | undefined };

/**
 * The one way a command reads its options: flags over environment variables over the config
 * file (where the table has a `configFile` option and it is given), secrets from `<X>_FILE`
 * where given, each value parsed by its option's parser, then the table's cross-option rules
 * over what could be read. Nothing is reported until everything has been looked at, so a
 * person fixes all of it in one go.
 */
export function readOptions<S extends OptionTable>(
  table: S,
  source: OptionSource,
  rules: readonly Rule<S>[] = [],
  read: ReadText = readText,
): Read<Values<S>> {
  const problems: string[] = [];
  const values: Record<string, unknown> = {};
  const labels: Record<string, string> = {};
  const from: From = { ...source, file: configOf(table, source, read, problems) };
  for (const [key, spec] of Object.entries(table)) {
    const raw = spec.secret ? secretOf(spec, from, read, problems) : plainOf(spec, from);
    labels[key] = raw.label;
    if (raw.text === undefined) {
      if (spec.required !== undefined && !raw.reported) problems.push(missing(spec, raw.label));
      values[key] = spec.fallback;
      continue;
    }
    const parsed = spec.parse(raw.text);
    if (parsed.ok) values[key] = parsed.value;
    else problems.push(problemLine(spec, raw.label, parsed.issue, raw.text));
  }
  // The record holds one parsed value (or undefined) per key of the table: it is that table's Loose.
  const loose = values as Loose<S>;
  for (const rule of rules)
    for (const p of rule(loose)) {
      const spec = table[p.key];
      if (spec) problems.push(problemLine(spec, labels[p.key] ?? nameOf(spec), p.issue, p.value));
    }
  if (problems.length > 0) return { ok: false, problems: Object.freeze(problems) };
  // No problem: every required option and every option with a fallback holds a value.
  return { ok: true, values: Object.freeze(values) as Values<S> };
}

const given = (value: string | boolean | undefined): string | undefined => {
  const text = value === true ? 'true' : typeof value === 'string' ? value.trim() : undefined;
  return text === '' ? undefined : text;
};

function plainOf(spec: OptionSpec, { flags, env, file }: From): Raw {
  const flag = given(flags[camel(spec.flag)]);
  if (flag !== undefined) return { text: flag, label: spec.flag };
  for (const name of [spec.env, ...(spec.alsoEnv ?? [])]) {
    const text = name === undefined ? undefined : given(env[name]);
    if (text !== undefined && name !== undefined) return { text, label: name };
  }
  const text = spec.env === undefined || file === undefined ? undefined : given(file.values[spec.env]);
  if (text !== undefined && file !== undefined) return { text, label: `${file.path}: ${spec.env}` };
  return { text: undefined, label: nameOf(spec) };
}

/** The config file the table's `configFile` option names, loaded; its problems join the rest. */
function configOf(table: OptionTable, source: OptionSource, read: ReadText, problems: string[]) {
  const spec = Object.values(table).find((s) => s.configFile);
  const path = spec === undefined ? undefined : plainOf(spec, source).text;
  if (path === undefined || spec?.configFile === undefined) return undefined;
  const loaded = loadConfigFile(path, table, read, spec.configFile);
  problems.push(...loaded.problems);
  return loaded.file;
}

/** A secret: the value itself, or the content of the file named by its `_FILE` twin; not both. */
function secretOf(spec: OptionSpec, source: From, read: ReadText, problems: string[]): Raw {
  const direct = plainOf(spec, source);
  const fileFlag = given(source.flags[camel(`${spec.flag}-file`)]);
  const fileEnv = spec.env === undefined ? undefined : given(source.env[`${spec.env}_FILE`]);
  // The config file holds a secret only as its _FILE path (config-file.ts), under flags and env.
  const fileConf =
    spec.env === undefined || direct.text !== undefined
      ? undefined
      : given(source.file?.values[`${spec.env}_FILE`]);
  const path = fileFlag ?? fileEnv ?? fileConf;
  if (path === undefined) return direct;
  const label =
    fileFlag === undefined && fileEnv === undefined
      ? `${source.file?.path}: ${spec.env}_FILE`
      : fileNameOf(spec, fileFlag === undefined ? 'env' : 'flag');
  if (direct.text !== undefined) {
    problems.push(problemLine(spec, direct.label, `is given together with ${label}; give one of them`));
    return { text: undefined, label, reported: true };
  }
  let content: string;
  try {
    content = read(path).trim();
  } catch (error) {
    const why = error instanceof Error && 'code' in error ? String(error.code) : 'unreadable';
    problems.push(problemLine(spec, label, `cannot read ${path} (${why})`));
    return { text: undefined, label, reported: true };
  }
  if (content !== '') return { text: content, label };
  problems.push(problemLine(spec, label, `${path} is empty`));
  return { text: undefined, label, reported: true };
}

function missing(spec: OptionSpec, label: string): string {
  const when = typeof spec.required === 'string' ? ` ${spec.required}` : '';
  const file = spec.secret ? ` (or ${spec.env ?? spec.flag})` : '';
  return problemLine(spec, label, `is required${when}${file}`);
}

/**
 * readOptions for a command that stops on a problem: the values, or a CONFIG_INVALID
 * GateError whose message is every problem, one a line (exit 2 through the outcome table).
 */
export function mustRead<S extends OptionTable>(
  table: S,
  source: OptionSource,
  rules: readonly Rule<S>[],
  path: string,
  read: ReadText = readText,
): Values<S> {
  const result = readOptions(table, source, rules, read);
  if (result.ok) return result.values;
  throw new GateError('CONFIG_INVALID', result.problems.join('\n'), { details: { path } });
}
