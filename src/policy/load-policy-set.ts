import { GateError } from '../errors.ts';
import {
  type DetailedError,
  describeCedarError,
  type PolicyJson,
  preparsePolicySet,
  preparseSchema,
  validate,
  whereIn,
} from './cedar.ts';
import type { PolicyMeta } from './engine-parts.ts';
import { linkedEst, planExplanations } from './explain-plan.ts';
import { parseGroups } from './groups.ts';
import { readPolicyDir } from './policy-dir.ts';
import { createPolicyEngine } from './policy-engine.ts';
import { type PolicyEntry, parsePolicyFile } from './policy-file.ts';
import { parseSchema, schemaFitProblems } from './schema-file.ts';
import type { PolicyEngine } from './types.ts';

/**
 * Loads a policy directory (`*.cedar`, `schema.cedarschema[.json]`, `groups.json`) into an
 * engine. Every problem found is reported at once, one line each, in a CONFIG_INVALID
 * GateError; nothing outside the new engine changes, so a failed (re)load leaves whatever
 * engine the caller holds in service. The only state shared with the world is Cedar's
 * preparse cache, keyed by the set's digest: the same files always preparse to the same set.
 */
export async function loadPolicySet(dir: string): Promise<PolicyEngine> {
  const files = await readPolicyDir(dir);
  const problems: string[] = [];
  const schema = parseSchema(files.schema, problems);
  const entries = files.policies.flatMap((file) => {
    const parsed = parsePolicyFile(file);
    problems.push(...parsed.problems);
    return parsed.entries;
  });
  problems.push(...duplicateIds(entries));
  const templates = entries.filter((e) => e.kind === 'template');
  const statics = entries.filter((e) => e.kind === 'policy');
  const { groups, problems: groupProblems } = parseGroups(files.groups, templates);
  problems.push(...groupProblems);
  const taken = new Set(entries.map((e) => e.id));
  for (const link of groups.links) {
    if (taken.has(link.newId))
      problems.push(`${groups.linkOrigins.get(link.newId)}: ${link.newId} is also a policy @id`);
  }
  // Policy ids travel in signed decisions, which take one-line ids of at most 256 characters.
  for (const id of [...taken, ...groups.links.map((l) => l.newId)]) {
    if (id.length > 256 || /\p{Cc}/u.test(id))
      problems.push(`policy id ${JSON.stringify(id)} is too long or not one line`);
  }
  if (schema === undefined || problems.length > 0) throw invalid(dir, problems);

  const policies = {
    staticPolicies: Object.fromEntries(statics.map((e) => [e.id, e.text])),
    templates: Object.fromEntries(templates.map((e) => [e.id, e.text])),
    templateLinks: groups.links,
  };
  const byId = new Map(entries.map((e) => [e.id, e]));
  // Strict mode is the only mode cedar-wasm exposes (ValidationMode = "strict"), and the one we want.
  const answer = validate({ schema, policies, validationSettings: { mode: 'strict' } });
  if (answer.type === 'failure')
    throw invalid(
      dir,
      answer.errors.map((e) => describeCedarError(e, dir)),
    );
  const place = (policyId: string, error: DetailedError) => {
    const entry = byId.get(policyId);
    const where =
      entry === undefined ? groups.linkOrigins.get(policyId) : whereIn(entry.file, error, entry.base);
    return describeCedarError(error, where ?? `policy ${policyId}`);
  };
  // Cedar lists them by policy id; a person fixes files top to bottom.
  const byPlace = (a: string, b: string) => a.localeCompare(b, 'en', { numeric: true });
  const validationProblems = answer.validationErrors.map((v) => place(v.policyId, v.error)).sort(byPlace);
  if (validationProblems.length > 0) throw invalid(dir, validationProblems);
  const warnings = [
    ...answer.validationWarnings.map((v) => place(v.policyId, v.error)),
    ...answer.otherWarnings.map((e) => describeCedarError(e, dir)),
  ];

  // Parsed once, here: requests name these preparsed sets and never send policy text again.
  const ids = { schema: `pulsar-gate:${files.digest}`, policySet: `pulsar-gate:${files.digest}` };
  const explainId = `${ids.policySet}:explain`;
  const linked = groups.links.map((link) => {
    const template = byId.get(link.templateId);
    if (template === undefined)
      throw new GateError('CONFIG_INVALID', `${dir}: unknown template ${link.templateId}`);
    return { id: link.newId, est: linkedEst(template.est, link.values), template };
  });
  const plan = planExplanations([...statics, ...linked]);
  for (const [id, set] of [
    [ids.policySet, policies],
    [explainId, { staticPolicies: plan.probes }],
  ] as const) {
    const preparsed = preparsePolicySet(id, set);
    if (preparsed.type === 'failure')
      throw invalid(
        dir,
        preparsed.errors.map((e) => describeCedarError(e, dir)),
      );
  }
  const preparsedSchema = preparseSchema(ids.schema, schema);
  if (preparsedSchema.type === 'failure') {
    throw invalid(
      dir,
      preparsedSchema.errors.map((e) => describeCedarError(e, files.schema.name)),
    );
  }
  const fit = schemaFitProblems(files.schema, schema, ids, groups);
  if (fit.length > 0) throw invalid(dir, fit);

  const meta = new Map<string, PolicyMeta>();
  for (const e of statics) meta.set(e.id, metaOf(e, e.est));
  for (const l of linked) meta.set(l.id, metaOf(l.template, l.est));
  return createPolicyEngine(
    { dir, digest: files.digest, warnings, ids: { ...ids, explain: explainId }, groups, plan, meta },
    () => loadPolicySet(dir),
  );
}

function metaOf(entry: PolicyEntry, est: PolicyJson): PolicyMeta {
  return { entry, effect: est.effect, annotations: entry.annotations };
}

function duplicateIds(entries: readonly PolicyEntry[]): string[] {
  const seen = new Map<string, PolicyEntry>();
  const problems: string[] = [];
  for (const entry of entries) {
    const first = seen.get(entry.id);
    if (first === undefined) seen.set(entry.id, entry);
    else problems.push(`${entry.file.name}: policy id ${entry.id} is already used in ${first.file.name}`);
  }
  return problems;
}

function invalid(dir: string, problems: readonly string[]): GateError {
  const lines = problems.length === 0 ? ['(no detail)'] : problems;
  return new GateError('CONFIG_INVALID', `policy set ${dir} is invalid:\n${lines.join('\n')}`);
}
