import { parseTopic } from '../../../src/transport/topic.ts';
import type { RotateOptions } from './keys-rotate-command.ts';

/** Flags over environment; every problem in one line, or the frozen options. */
export function parseRotateOptions(
  flags: Readonly<Record<string, string | undefined>>,
  env: Readonly<Record<string, string | undefined>>,
): RotateOptions | string {
  const problems: string[] = [];
  const keysTopic = (flags.keysTopic ?? env.KEYS_TOPIC ?? '').trim();
  const pulsarUrl = (flags.pulsarUrl ?? env.PULSAR_URL ?? '').trim();
  const graceText = (flags.grace ?? '3600').trim();
  if (!keysTopic) problems.push('KEYS_TOPIC (--keys-topic) is required');
  else {
    try {
      parseTopic(keysTopic);
    } catch (error) {
      problems.push(`KEYS_TOPIC: ${error instanceof Error ? error.message : 'invalid topic'}`);
    }
  }
  if (!pulsarUrl) problems.push('PULSAR_URL (--pulsar-url) is required');
  const grace = Number(graceText);
  if (!/^\d+$/.test(graceText) || grace > 30 * 86_400)
    problems.push(
      `--grace must be whole seconds from 0 to 2592000 (got ${JSON.stringify(graceText.slice(0, 20))})`,
    );
  if (problems.length) return problems.join('; ');
  return Object.freeze({
    dir: flags.dir ?? '',
    keysTopic: parseTopic(keysTopic).full,
    pulsarUrl,
    pulsarToken: (flags.pulsarToken ?? env.PULSAR_TOKEN)?.trim() || undefined,
    graceSeconds: grace,
  });
}
