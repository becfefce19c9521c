/**
 * One option of a command, described once: where its raw text comes from (a flag and, where
 * it has one, an environment variable), how that text is parsed, and the words that `--help`
 * and every problem line use for what it accepts. Each command's table of these is the only
 * description of its options; the reader, the help text and the README follow it.
 */
export interface OptionSpec<T = unknown> {
  /** `--pulsar-url`; commander names its value camelCase (`pulsarUrl`). */
  readonly flag: string;
  /** The environment variable behind the flag; flag-only options have none. */
  readonly env?: string;
  /** Further variables read when `env` is unset, in order (ROLE ← AWS_OIDC_ROLE_ARN). */
  readonly alsoEnv?: readonly string[];
  readonly parse: Parse<T>;
  /** What it accepts, as a person reads it: used in --help and in every problem line. */
  readonly accepts: string;
  /** Required: `true`, or the condition under which it is (shown in the problem line). */
  readonly required?: true | string;
  /** The value when unset (already parsed). */
  readonly fallback?: T;
  /** How --help and the README describe the default where `fallback` does not say it all. */
  readonly defaultText?: string;
  /**
   * Never echoed back, not even in a problem line; also read from a file named by
   * `<ENV>_FILE` / `<flag>-file`, so that it need not stand on a command line.
   */
  readonly secret?: boolean;
  /**
   * This option names a config file holding the table's other options under their variable
   * names, and this reads the file's text into a document (YAML or JSON); flags and variables
   * win over it (cli/options/config-file.ts). A function, so that only a command with a
   * config file bundles a YAML parser.
   */
  readonly configFile?: (text: string, path: string) => unknown;
}

/** A parser turns trimmed, non-empty text into a value, or says what is wrong with it. */
export type Parse<T> = (text: string) => Parsed<T>;
export type Parsed<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly issue: string };

export const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
export const fail = <T = never>(issue: string): Parsed<T> => ({ ok: false, issue });

/** A command's options, keyed by the name its typed values go under. */
export type OptionTable = Readonly<Record<string, OptionSpec>>;

// From the parser alone: a fallback literal ('deploy') would widen the type to string.
type ValueOf<S> = S extends { readonly parse: Parse<infer T> } ? T : never;

/** Set for sure: required, or with a fallback. */
type Certain<S> = S extends { readonly required: true | string } | { readonly fallback: unknown }
  ? true
  : false;

/** The typed values of a table once every option read without a problem. */
export type Values<S extends OptionTable> = {
  readonly [K in keyof S]: Certain<S[K]> extends true ? ValueOf<S[K]> : ValueOf<S[K]> | undefined;
};

/** The values as far as they could be read: what cross-option rules look at. */
export type Loose<S extends OptionTable> = { readonly [K in keyof S]: ValueOf<S[K]> | undefined };

/** A problem a cross-option rule finds: which option, what is wrong, and the value if it may be shown. */
export interface Problem<S extends OptionTable> {
  readonly key: keyof S & string;
  readonly issue: string;
  readonly value?: string | undefined;
}

/** A rule over several options (all of OAuth or none, REPLY_TOPIC ≠ TOPIC, …). */
export type Rule<S extends OptionTable> = (values: Loose<S>) => readonly Problem<S>[];

/** Where raw text comes from: the flags commander mapped (camelCase keys) and the environment. */
export interface OptionSource {
  readonly flags: Readonly<Record<string, string | boolean | undefined>>;
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** Defines a table, keeping each option's value type (a plain object literal would widen it). */
export const options = <S extends OptionTable>(table: S): S => table;
