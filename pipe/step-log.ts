import type { StepLog } from '../src/gate/ports.ts';

// A compact JWS/JWT: three base64url segments, the first starting with '{"' encoded.
const JWT = /eyJ[\w-]{5,}\.[\w-]{5,}\.[\w-]{5,}/g;
// AWS temporary / long-term access key ids.
const ACCESS_KEY = /\b(ASIA|AKIA)[A-Z0-9]{16}\b/g;

/**
 * The step log. Every line goes through redaction: exact secrets registered by the gate,
 * and anything shaped like a JWT or an access key id, in case a library puts one in an
 * error message. DEBUG adds lines, never secrets.
 */
export function createStepLog(
  write: (line: string) => void,
  debug: boolean,
): StepLog & { redact(text: string): string } {
  const secrets = new Set<string>();
  const redact = (text: string): string => {
    let out = text;
    for (const secret of secrets) if (secret.length >= 8) out = out.split(secret).join('***');
    return out.replace(JWT, '[redacted token]').replace(ACCESS_KEY, '[redacted key id]');
  };
  const emit = (line: string) => write(`${redact(line)}\n`);
  return {
    info: emit,
    warn: emit,
    debug: (line) => {
      if (debug) emit(`[debug] ${line}`);
    },
    secret: (value) => {
      secrets.add(value);
    },
    redact,
  };
}
