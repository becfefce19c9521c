/**
 * Just enough of CloudFormation to check a template without AWS: parameters with their
 * defaults and constraints (AllowedPattern matches the whole value, MinValue/MaxValue), the
 * Conditions, and the intrinsic functions the templates in deploy/aws use — Ref (parameters,
 * pseudo parameters, resources), Fn::GetAtt …Arn, Fn::Sub (string or [string, variables]),
 * Fn::If, Fn::Equals (AWS CloudFormation User Guide, "Intrinsic function reference",
 * "Parameters", "Resource return values"). Anything else is refused, so a template that grows
 * past what this checks fails its test instead of passing unread.
 */
import { checkParameters, type Json, type Template } from './cloudformation-parameters.ts';

export { readTemplate } from './cloudformation-parameters.ts';

export type Stack = {
  /** The resources CloudFormation would create, with every intrinsic function resolved. */
  resources: Record<string, { type: string; properties: Record<string, Json>; ref: string; arn: string }>;
  outputs: Record<string, Json>;
};

/** Resolves a template for these parameters, in `accountId`, as stack `stackName`. */
export function resolveStack(
  template: Template,
  given: Record<string, string>,
  { accountId, stackName }: { accountId: string; stackName: string },
): Stack {
  const parameters = checkParameters(template, given);
  const pseudo: Record<string, string> = {
    'AWS::AccountId': accountId,
    'AWS::Partition': 'aws',
    'AWS::Region': 'eu-west-1',
    'AWS::StackName': stackName,
  };
  const conditions: Record<string, boolean> = {};
  const resources: Stack['resources'] = {};

  const ref = (name: string): string => {
    const value = parameters[name] ?? pseudo[name] ?? resources[name]?.ref;
    if (value === undefined) throw new Error(`Ref ${name}: no such parameter or (created) resource`);
    return value;
  };
  const getAtt = (resource: string, attribute: string): string => {
    const created = resources[resource];
    if (created === undefined || attribute !== 'Arn')
      throw new Error(`Fn::GetAtt ${resource}.${attribute} unsupported`);
    return created.arn;
  };
  const sub = (text: string, variables: Record<string, Json>): string =>
    text.replace(/\$\{(!?)([\w:.]+)\}/g, (_, literal: string, name: string) => {
      if (literal === '!') return `\${${name}}`;
      if (name in variables) return String(variables[name]);
      const [resource, attribute] = name.split('.');
      return attribute === undefined ? ref(name) : getAtt(resource ?? '', attribute);
    });

  function resolve(node: Json): Json {
    if (Array.isArray(node)) return node.map(resolve);
    if (node === null || typeof node !== 'object') return node;
    const keys = Object.keys(node);
    const [fn] = keys;
    const arg = fn === undefined ? null : (node[fn] ?? null);
    if (keys.length === 1 && fn !== undefined && (fn === 'Ref' || fn.startsWith('Fn::'))) {
      if (fn === 'Ref') return ref(String(arg));
      if (fn === 'Fn::GetAtt' && Array.isArray(arg)) return getAtt(String(arg[0]), String(arg[1]));
      if (fn === 'Fn::Sub' && typeof arg === 'string') return sub(arg, {});
      if (fn === 'Fn::Sub' && Array.isArray(arg) && typeof arg[0] === 'string') {
        const variables = resolve(arg[1] ?? {});
        if (variables === null || typeof variables !== 'object' || Array.isArray(variables))
          throw new Error('Fn::Sub variables');
        return sub(arg[0], variables);
      }
      if (fn === 'Fn::Equals' && Array.isArray(arg))
        return resolve(arg[0] ?? null) === resolve(arg[1] ?? null);
      if (fn === 'Fn::If' && Array.isArray(arg)) {
        const holds = conditions[String(arg[0])];
        if (holds === undefined) throw new Error(`Fn::If: no condition ${String(arg[0])}`);
        return resolve((holds ? arg[1] : arg[2]) ?? null);
      }
      throw new Error(`${fn}: not supported by this checker`);
    }
    return Object.fromEntries(Object.entries(node).map(([key, value]) => [key, resolve(value)]));
  }

  for (const [name, condition] of Object.entries(template.Conditions ?? {}))
    conditions[name] = resolve(condition) === true;
  for (const [name, resource] of Object.entries(template.Resources)) {
    if (resource.Condition !== undefined && conditions[resource.Condition] !== true) continue;
    const properties = resolve(resource.Properties) as Record<string, Json>;
    resources[name] = {
      type: resource.Type,
      properties,
      ...identifiers(resource.Type, name, properties, accountId, stackName),
    };
  }
  const outputs = Object.fromEntries(
    Object.entries(template.Outputs ?? {}).map(([name, o]) => [name, resolve(o.Value)]),
  );
  return { resources, outputs };
}

/** What Ref and Fn::GetAtt …Arn return for the resource types the templates use. */
function identifiers(
  type: string,
  name: string,
  properties: Record<string, Json>,
  accountId: string,
  stackName: string,
) {
  if (type === 'AWS::IAM::OIDCProvider') {
    const arn = `arn:aws:iam::${accountId}:oidc-provider/${String(properties.Url).replace(/^https:\/\//, '')}`;
    return { ref: arn, arn };
  }
  if (type === 'AWS::IAM::Role') {
    // CloudFormation names an unnamed role <stack>-<logical id>-<random suffix>.
    const roleName =
      typeof properties.RoleName === 'string' ? properties.RoleName : `${stackName}-${name}-A1B2C3D4E5F6`;
    return { ref: roleName, arn: `arn:aws:iam::${accountId}:role/${roleName}` };
  }
  throw new Error(`resource type ${type} is not supported by this checker`);
}
