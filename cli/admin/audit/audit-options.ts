import { boolean, text, topic, url } from '../../options/parsers.ts';
import { PULSAR_URL_OPTION, pulsarTokenOption } from '../../options/shared-options.ts';
import { fail, ok, options, type Parse, type Parsed, type Rule } from '../../options/spec.ts';

/** Where `audit verify` / `audit export` read a trail from: exactly one of file, topic, bucket. */
export const AUDIT_SOURCE_OPTIONS = options({
  keys: {
    flag: '--keys',
    env: 'DECISION_KEYS',
    required: true,
    parse: text,
    accepts: "the decision service's public JWKS, as DECISION_KEYS: JSON, a file or an https URL",
  },
  file: { flag: '--file', parse: text, accepts: 'a trail file (STATE_DIR/audit/trail.jsonl or a copy)' },
  topic: { flag: '--topic', parse: topic, accepts: 'the Pulsar audit topic (with --pulsar-url)' },
  pulsarUrl: PULSAR_URL_OPTION,
  pulsarToken: pulsarTokenOption('a token whose role may consume the audit topic'),
  s3Bucket: { flag: '--s3-bucket', parse: text, accepts: 'the S3 audit bucket' },
  s3Prefix: { flag: '--s3-prefix', parse: text, fallback: 'pulsar-gate/audit/', accepts: 'a key prefix' },
  s3Region: { flag: '--s3-region', parse: text, fallback: 'us-east-1', accepts: "the bucket's region" },
  s3Endpoint: {
    flag: '--s3-endpoint',
    parse: url(['http', 'https'], 'is not an http(s) URL'),
    accepts: 'an S3-compatible endpoint URL',
  },
  witness: {
    flag: '--witness',
    parse: witness,
    accepts:
      'with --file: where the newest signed heads are, s3://BUCKET[/PREFIX] (the --s3-* options apply), the audit topic (with --pulsar-url), or a file of heads kept earlier (a path starting with / or ., or file:PATH)',
  },
  allowUnsignedTail: {
    flag: '--allow-unsigned-tail',
    parse: boolean,
    fallback: false,
    accepts: 'true or false: report records after the last checkpoint with exit 4 instead of failing',
  },
  s3ForcePathStyle: {
    flag: '--s3-force-path-style',
    parse: boolean,
    fallback: false,
    accepts: 'true or false: path-style bucket URLs',
  },
});

type Source = typeof AUDIT_SOURCE_OPTIONS;

/** A witness (issue 15 §2): an S3 bucket and prefix, a Pulsar topic, or a file of kept heads (§3). */
export type Witness =
  | { readonly kind: 's3'; readonly bucket: string; readonly prefix: string | undefined }
  | { readonly kind: 'topic'; readonly topic: string }
  | { readonly kind: 'file'; readonly path: string };

function witness(value: string): Parsed<Witness> {
  const s3 = /^s3:\/\/([^/\s]+)(?:\/(\S*))?$/.exec(value);
  if (s3) return ok({ kind: 's3', bucket: s3[1] ?? '', prefix: s3[2] || undefined });
  // Heads an auditor kept (checkpoint lines, or a whole earlier copy of the trail).
  if (/^(\.{0,2}\/|file:)/.test(value)) return ok({ kind: 'file', path: value.replace(/^file:/, '') });
  const parsed = topic(value);
  return parsed.ok
    ? ok({ kind: 'topic', topic: parsed.value })
    : fail(`is not s3://BUCKET or a topic: ${parsed.issue}`);
}

/** Exactly one source; a topic needs a broker. */
export const AUDIT_SOURCE_RULES: readonly Rule<Source>[] = [
  (v) => {
    const chosen = (['file', 'topic', 's3Bucket'] as const).filter((key) => v[key] !== undefined);
    if (chosen.length === 1) return [];
    return [{ key: chosen[1] ?? 'file', issue: 'name one source: --file, --topic or --s3-bucket' }];
  },
  (v) =>
    v.topic !== undefined && v.pulsarUrl === undefined
      ? [{ key: 'pulsarUrl', issue: 'is required with --topic' }]
      : [],
  (v) =>
    v.witness !== undefined && v.file === undefined ? [{ key: 'witness', issue: 'checks a --file' }] : [],
  (v) =>
    v.witness?.kind === 'topic' && v.pulsarUrl === undefined
      ? [{ key: 'pulsarUrl', issue: 'is required with a topic --witness' }]
      : [],
];

/** A date (`2026-11-24`, a whole UTC day; as an end it includes that day) or an RFC 3339 time. */
const day =
  (end: boolean): Parse<Date> =>
  (value) => {
    const dateOnly = /^\d{4}-\d{2}-\d{2}$/.test(value);
    const at = new Date(dateOnly ? `${value}T00:00:00Z` : value);
    if (Number.isNaN(at.getTime())) return fail('is not a date or RFC 3339 time');
    return ok(dateOnly && end ? new Date(at.getTime() + 86_400_000) : at);
  };

/** `audit export`: the source, the range of decisions and where the bundle goes. */
export const AUDIT_EXPORT_OPTIONS = options({
  ...AUDIT_SOURCE_OPTIONS,
  from: {
    flag: '--from',
    required: true,
    parse: day(false),
    accepts: 'a first day (YYYY-MM-DD, UTC) or RFC 3339 time',
  },
  to: {
    flag: '--to',
    required: true,
    parse: day(true),
    accepts: 'a last day, included (YYYY-MM-DD, UTC), or an RFC 3339 time, excluded',
  },
  out: { flag: '--out', required: true, parse: text, accepts: 'a directory for the bundle' },
});

/** `audit prove`: the source and the request whose decision to prove. */
export const AUDIT_PROVE_OPTIONS = options({
  ...AUDIT_SOURCE_OPTIONS,
  requestId: {
    flag: '--request-id',
    required: true,
    parse: text,
    accepts: "the request id (the decision.json's requestId), or as the argument",
  },
});

/** `audit verify-proof`: a proof file and the keys alone, nothing else (offline). */
export const AUDIT_VERIFY_PROOF_OPTIONS = options({
  keys: AUDIT_SOURCE_OPTIONS.keys,
  proof: {
    flag: '--proof',
    required: true,
    parse: text,
    accepts: 'an inclusion proof file (JSON, from audit prove or audit export), or as the argument',
  },
});
