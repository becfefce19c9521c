import { promises as fs } from 'node:fs';
import { dirname } from 'node:path';
import type { AwsCredentials } from '../credentials/credentials.ts';
import { type Owner, prepareDirectory, writeFilesAtomically } from './safe-write.ts';

export interface StepOutputs {
  readonly dir: string;
  readonly envFile: string;
  readonly credentialsFile: string;
  readonly decisionFile: string;
  readonly profile: string;
}

/** POSIX single-quote escaping: the value can never end the quote and run code. */
export function shellQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

/**
 * `region`: the AWS_REGION the step asked for, exported as both region variables; without
 * one, none is exported, so the step's own AWS_DEFAULT_REGION stays in force (issue 14).
 */
export function awsEnvFile(credentials: AwsCredentials, region?: string): string {
  const lines = [
    ['AWS_ACCESS_KEY_ID', credentials.accessKeyId],
    ['AWS_SECRET_ACCESS_KEY', credentials.secretAccessKey],
    ['AWS_SESSION_TOKEN', credentials.sessionToken],
    ...(region === undefined
      ? []
      : [
          ['AWS_REGION', region],
          ['AWS_DEFAULT_REGION', region],
        ]),
    ['AWS_CREDENTIAL_EXPIRATION', credentials.expiration.toISOString()],
  ].map(([name, value]) => `export ${name}=${shellQuote(value ?? '')}`);
  return `# written by pulsar-gate; valid until ${credentials.expiration.toISOString()}\n${lines.join('\n')}\n`;
}

/** The AWS shared credentials file format (AWS SDKs and Tools Reference Guide). */
export function sharedCredentialsFile(credentials: AwsCredentials, profile: string, region?: string): string {
  return [
    `[${profile}]`,
    `aws_access_key_id = ${credentials.accessKeyId}`,
    `aws_secret_access_key = ${credentials.secretAccessKey}`,
    `aws_session_token = ${credentials.sessionToken}`,
    ...(region === undefined ? [] : [`region = ${region}`]),
    '',
  ].join('\n');
}

/**
 * Writes aws.env, credentials and decision.json for the rest of the step. When run as root
 * in a pipe container, the files are handed to the owner of the clone directory so the
 * next script line (which may run as another user) can read them.
 */
export async function writeStepOutputs(input: {
  dir: string;
  credentials: AwsCredentials;
  decision: unknown;
  profile: string;
  /** AWS_REGION as the step asked for it; undefined: no region is exported. */
  region?: string | undefined;
}): Promise<StepOutputs> {
  const owner = await ownerFor(input.dir);
  await prepareDirectory(input.dir, owner);
  const [envFile, credentialsFile, decisionFile] = await writeFilesAtomically(
    input.dir,
    [
      { name: 'aws.env', content: awsEnvFile(input.credentials, input.region) },
      { name: 'credentials', content: sharedCredentialsFile(input.credentials, input.profile, input.region) },
      { name: 'decision.json', content: `${JSON.stringify(input.decision, null, 2)}\n` },
    ],
    owner,
  );
  return {
    dir: input.dir,
    envFile: envFile ?? '',
    credentialsFile: credentialsFile ?? '',
    decisionFile: decisionFile ?? '',
    profile: input.profile,
  };
}

/**
 * Writes outcome.json (issue 14): on every verdict — allow, deny, timeout, a failure after the
 * configuration was read — since a `pipe:` line's exit code reaches the next line only as
 * pass or fail. The document holds no token, key or credential (pipe/outcome-document.ts).
 */
export async function writeOutcomeFile(dir: string, document: unknown): Promise<string> {
  const owner = await ownerFor(dir);
  await prepareDirectory(dir, owner);
  const [file] = await writeFilesAtomically(
    dir,
    [{ name: OUTCOME_FILE, content: `${JSON.stringify(document, null, 2)}\n` }],
    owner,
  );
  return file ?? '';
}

export const OUTCOME_FILE = 'outcome.json';

async function ownerFor(dir: string): Promise<Owner | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  const parent = await fs.stat(dirname(dir)).catch(() => undefined);
  return parent && parent.uid !== 0 ? { uid: parent.uid, gid: parent.gid } : undefined;
}
