import type { StepFacts, VerifiedPipeline } from '../bitbucket/facts.ts';
import { isEnvironmentType, slugOf } from '../bitbucket/parse-environment.ts';
import type { GateError } from '../errors.ts';
import { isRecord } from '../lib/is-record.ts';
import { readTestReview } from './test-review-facts.ts';

/**
 * The `facts` of a `policy test` request file: what the service would have established at
 * Bitbucket. Without `facts.environment` the request's environment is taken as one open to
 * steps without a deployment environment (type "Open"); without `facts.pipeline` the policy
 * sees no `context.pipeline`, as with an environment map and no API.
 *
 *   "facts": {
 *     "environment"?: { "name": "Production", "slug"?: "production", "type": "Production" | "Staging" | "Test" },
 *     "pipeline"?: { "ref": "branch" | "tag" | "commit", "name"?: "main", "commit": "<40 hex>",
 *                    "build"?: 1742, "trigger"?: "push", "triggeredBy"?: "{uuid}" },
 *     "review"?: { "mergedViaPullRequest": true, "approvers": [...], "author"?: "{uuid}" }  (test-review-facts.ts)
 *   }
 */
export function readTestFacts(
  value: unknown,
  askedEnvironment: string,
  bad: (m: string) => GateError,
): StepFacts {
  if (value !== undefined && !isRecord(value)) throw bad('facts must be an object');
  const facts = value ?? {};
  const env = facts.environment;
  let environment: StepFacts['environment'];
  if (env === undefined) {
    environment = {
      name: askedEnvironment,
      slug: slugOf(askedEnvironment),
      type: 'Open',
      source: 'open-environments',
    };
  } else {
    if (!isRecord(env) || typeof env.name !== 'string' || !isEnvironmentType(env.type))
      throw bad('facts.environment needs a name and a type (Production, Staging or Test)');
    const slug = typeof env.slug === 'string' ? env.slug : slugOf(env.name);
    environment = { uuid: '{policy-test}', name: env.name, slug, type: env.type, source: 'bitbucket-api' };
  }
  return {
    environment,
    ...(facts.pipeline === undefined ? {} : { pipeline: readPipeline(facts.pipeline, bad) }),
    ...(facts.review === undefined ? {} : { review: readTestReview(facts.review, bad) }),
  };
}

function readPipeline(value: unknown, bad: (m: string) => GateError): VerifiedPipeline {
  if (!isRecord(value)) throw bad('facts.pipeline must be an object');
  const { ref, name, commit } = value;
  if (ref !== 'branch' && ref !== 'tag' && ref !== 'commit')
    throw bad('facts.pipeline.ref must be branch, tag or commit');
  if (ref !== 'commit' && typeof name !== 'string') throw bad(`facts.pipeline.name is the ${ref}'s name`);
  if (typeof commit !== 'string' || !/^[0-9a-f]{40}$/.test(commit))
    throw bad('facts.pipeline.commit must be a full commit hash (40 hex characters)');
  const text = (key: string, fallback: string): string => {
    const v = value[key];
    return typeof v === 'string' ? v : fallback;
  };
  return {
    uuid: '{policy-test}',
    buildNumber: typeof value.build === 'number' ? value.build : 1,
    ref: ref === 'commit' ? { type: 'commit' } : { type: ref, name: typeof name === 'string' ? name : '' },
    commit,
    trigger: text('trigger', 'push'),
    triggeredBy: { uuid: text('triggeredBy', '{00000000-0000-4000-8000-000000000000}') },
  };
}
