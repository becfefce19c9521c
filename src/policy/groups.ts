import type { SourceText, TemplateLink } from './cedar.ts';
import type { PolicyEntry } from './policy-file.ts';

/**
 * groups.json — the OIDC groups the policy set mirrors:
 * { "groups": { "<name>": { "repositories": ["{uuid}"], "workspaces": ["{uuid}"],
 *                           "templates": [{ "template": "<template id>", "environment": "<env>" }] } } }
 * A repository is in a group if its repositoryUuid or its workspaceUuid (verified claims) is
 * listed. Each template entry links a Cedar template: ?principal → Group::"<name>",
 * ?resource → Environment::"<environment>", as policy `<template>@<group>[@<environment>]`.
 */
export interface Groups {
  /** group name → member repository and workspace UUIDs, normalised to `{lowercase}`. */
  members: ReadonlyMap<string, { repositories: ReadonlySet<string>; workspaces: ReadonlySet<string> }>;
  links: TemplateLink[];
  /** Linked policy id → `groups.json: groups["x"].templates[i]`, to place validation errors. */
  linkOrigins: ReadonlyMap<string, string>;
}

const GROUP_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const UUID = /^\{?([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\}?$/i;

export function parseGroups(
  file: SourceText | undefined,
  templates: readonly PolicyEntry[],
): { groups: Groups; problems: string[] } {
  const groups = {
    members: new Map<string, { repositories: Set<string>; workspaces: Set<string> }>(),
    links: [] as TemplateLink[],
    linkOrigins: new Map<string, string>(),
  };
  if (file === undefined) return { groups, problems: [] };
  const problems: string[] = [];
  const fail = (where: string, message: string) => problems.push(`${file.name}: ${where}${message}`);
  let root: unknown;
  try {
    root = JSON.parse(file.text);
  } catch (cause) {
    fail('', cause instanceof Error ? cause.message : String(cause));
    return { groups, problems };
  }
  if (
    !isObject(root) ||
    !isObject(root.groups) ||
    Object.keys(root).some((key) => key !== 'groups' && key !== 'approvers')
  ) {
    fail(
      '',
      'expected {"groups": {"<name>": {"repositories": [...], "workspaces": [...], "templates": [...]}}}',
    );
    return { groups, problems };
  }
  const byId = new Map(templates.map((t) => [t.id, t]));
  for (const [name, group] of Object.entries(root.groups)) {
    const at = `groups[${JSON.stringify(name)}]`;
    if (!GROUP_NAME.test(name))
      fail(at, ': a group name is 1-64 of A-Z a-z 0-9 . _ - (it becomes part of policy ids)');
    if (!isObject(group)) {
      fail(at, ' must be an object');
      continue;
    }
    for (const key of Object.keys(group)) {
      if (!['repositories', 'workspaces', 'templates'].includes(key)) fail(`${at}.${key}`, ': unknown field');
    }
    const uuids = (key: 'repositories' | 'workspaces') => uuidSet(group[key], `${at}.${key}`, fail);
    groups.members.set(name, { repositories: uuids('repositories'), workspaces: uuids('workspaces') });
    const links = group.templates ?? [];
    if (!Array.isArray(links)) {
      fail(`${at}.templates`, ' must be an array of {"template", "environment"}');
      continue;
    }
    for (const [i, link] of links.entries()) {
      const where = `${at}.templates[${i}]`;
      const problem = linkProblem(link, byId);
      if (problem !== undefined || !isObject(link) || typeof link.template !== 'string') {
        fail(where, `: ${problem ?? 'invalid'}`);
        continue;
      }
      const env = typeof link.environment === 'string' ? link.environment : undefined;
      const newId = [link.template, name, ...(env === undefined ? [] : [env])].join('@');
      if (groups.linkOrigins.has(newId)) {
        fail(where, `: links ${newId} a second time`);
        continue;
      }
      const values: TemplateLink['values'] = { '?principal': { type: 'Group', id: name } };
      if (env !== undefined) values['?resource'] = { type: 'Environment', id: env };
      groups.links.push({ templateId: link.template, newId, values });
      groups.linkOrigins.set(newId, `${file.name}: ${where}`);
    }
  }
  return { groups, problems };
}

/** The groups a verified identity belongs to, by repository or by workspace. */
export function groupsOf(groups: Groups, repositoryUuid: string, workspaceUuid: string): string[] {
  const repo = normalUuid(repositoryUuid) ?? '';
  const workspace = normalUuid(workspaceUuid) ?? '';
  return [...groups.members]
    .filter(([, m]) => m.repositories.has(repo) || m.workspaces.has(workspace))
    .map(([name]) => name);
}

/** Member UUIDs with or without braces, any case; kept as `{lowercase}` like the token claims. */
function uuidSet(list: unknown, where: string, fail: (where: string, message: string) => void): Set<string> {
  const set = new Set<string>();
  if (list === undefined) return set;
  if (!Array.isArray(list)) {
    fail(where, ' must be an array of UUIDs');
    return set;
  }
  for (const [i, value] of list.entries()) {
    const uuid = typeof value === 'string' ? normalUuid(value) : undefined;
    if (uuid === undefined) fail(`${where}[${i}]`, ' is not a UUID');
    else set.add(uuid);
  }
  return set;
}

function normalUuid(value: string): string | undefined {
  const match = UUID.exec(value);
  return match?.[1] === undefined ? undefined : `{${match[1].toLowerCase()}}`;
}

function linkProblem(link: unknown, templates: ReadonlyMap<string, PolicyEntry>): string | undefined {
  if (!isObject(link) || typeof link.template !== 'string')
    return 'expected {"template": "<id>", "environment"?: "<env>"}';
  const extra = Object.keys(link).find((key) => key !== 'template' && key !== 'environment');
  if (extra !== undefined) return `unknown field ${JSON.stringify(extra)}`;
  const template = templates.get(link.template);
  if (template === undefined)
    return `no template with @id(${JSON.stringify(link.template)}) in the *.cedar files`;
  if (!('slot' in template.est.principal)) {
    return `template ${link.template} has no ?principal slot, so linking it to a group would not mention the group`;
  }
  const wantsResource = 'slot' in template.est.resource;
  if (link.environment !== undefined && (typeof link.environment !== 'string' || link.environment === '')) {
    return '"environment" must be a non-empty string';
  }
  if (wantsResource && link.environment === undefined)
    return `template ${link.template} has ?resource: add "environment"`;
  if (!wantsResource && link.environment !== undefined)
    return `template ${link.template} has no ?resource slot`;
  return undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
