import { pulsarUrl, text } from './parsers.ts';

/**
 * Options several commands take with the same meaning, described once: a command's table
 * spreads them in and adds what differs (`required`, its own words for the token's role).
 */

export const PULSAR_URL_OPTION = {
  flag: '--pulsar-url',
  env: 'PULSAR_URL',
  parse: pulsarUrl,
  accepts: 'broker web service (ws[s]://, http[s]://) or pulsar[+ssl]:// URL',
} as const;

/** The token a command presents to Pulsar; `accepts` says whose role it must carry. */
export const pulsarTokenOption = (accepts: string) =>
  ({ flag: '--pulsar-token', env: 'PULSAR_TOKEN', secret: true, parse: text, accepts }) as const;

export const POLICY_DIR_OPTION = {
  flag: '--policy-dir',
  env: 'POLICY_DIR',
  required: true,
  parse: text,
  accepts: 'a directory of Cedar policies, schema.cedarschema and groups.json',
} as const;
