import { parse as parseYaml } from 'yaml';

/**
 * A `serve --config` file's text as a document: `.json` as strict JSON (RFC 8259), anything
 * else as YAML 1.2 (of which JSON is a subset). Only the service bundles the YAML parser.
 */
export const configDocument = (text: string, path: string): unknown =>
  path.toLowerCase().endsWith('.json') ? JSON.parse(text) : parseYaml(text);
