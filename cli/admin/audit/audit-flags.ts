// Kept free of imports: pipe/cli.ts loads it for every command, the pipe's included.

/** Where `audit verify` / `audit export` read a trail from: exactly one of file, topic, bucket. */
export interface AuditSourceOptions {
  readonly keys?: string;
  readonly file?: string;
  readonly topic?: string;
  readonly s3Bucket?: string;
  readonly s3Prefix?: string;
  readonly s3Region?: string;
  readonly s3Endpoint?: string;
  readonly s3ForcePathStyle?: boolean;
  readonly pulsarUrl?: string;
  readonly pulsarToken?: string;
}

export const AUDIT_SOURCE_FLAGS = [
  [
    '--keys <jwks>',
    "the decision service's public JWKS (as DECISION_KEYS: JSON, file or https URL; env DECISION_KEYS)",
  ],
  ['--file <path>', 'a trail file (STATE_DIR/audit/trail.jsonl or a copy)'],
  ['--topic <topic>', 'the Pulsar audit topic (with --pulsar-url; token from PULSAR_TOKEN)'],
  ['--pulsar-url <url>', 'broker web service or pulsar:// URL (env PULSAR_URL)'],
  ['--s3-bucket <name>', 'the S3 audit bucket'],
  ['--s3-prefix <prefix>', 'key prefix (default: pulsar-gate/audit/)'],
  ['--s3-region <region>', 'default: us-east-1'],
  ['--s3-endpoint <url>', 'an S3-compatible endpoint'],
  ['--s3-force-path-style', 'path-style bucket URLs'],
] as const;
