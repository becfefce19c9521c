/**
 * A CloudFormation template as read from YAML, and its parameters checked as CloudFormation
 * checks them before creating anything (AWS CloudFormation User Guide, "Parameters":
 * AllowedPattern must match the whole value; MinValue/MaxValue for Number; Default).
 */
import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';

export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
type Parameter = {
  Type: string;
  Default?: string | number;
  AllowedPattern?: string;
  MinValue?: number;
  MaxValue?: number;
};
type Resource = { Type: string; Condition?: string; Properties: Record<string, Json> };
export type Template = {
  Parameters: Record<string, Parameter>;
  Conditions?: Record<string, Json>;
  Resources: Record<string, Resource>;
  Outputs?: Record<string, { Value: Json }>;
};

export async function readTemplate(path: string): Promise<Template> {
  return parse(await readFile(path, 'utf8')) as Template;
}

export function checkParameters(template: Template, given: Record<string, string>): Record<string, string> {
  const unknown = Object.keys(given).filter((name) => !(name in template.Parameters));
  if (unknown.length > 0) throw new Error(`unknown parameters: ${unknown.join(', ')}`);
  return Object.fromEntries(
    Object.entries(template.Parameters).map(([name, p]) => {
      const value = given[name] ?? (p.Default === undefined ? undefined : String(p.Default));
      if (value === undefined) throw new Error(`parameter ${name} has no value`);
      if (p.AllowedPattern !== undefined && !new RegExp(`^(?:${p.AllowedPattern})$`).test(value)) {
        throw new Error(`parameter ${name}: ${JSON.stringify(value)} does not match its AllowedPattern`);
      }
      if (p.Type === 'Number') {
        const n = Number(value);
        if (
          !Number.isFinite(n) ||
          (p.MinValue !== undefined && n < p.MinValue) ||
          (p.MaxValue !== undefined && n > p.MaxValue)
        ) {
          throw new Error(`parameter ${name}: ${value} is out of range`);
        }
      }
      return [name, value];
    }),
  );
}
