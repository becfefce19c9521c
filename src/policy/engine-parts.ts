import type { ExplainPlan } from './explain-plan.ts';
import type { Groups } from './groups.ts';
import type { PolicyEntry } from './policy-file.ts';

/** What the engine knows of each policy it evaluates (linked ones carry their template's). */
export interface PolicyMeta {
  entry: PolicyEntry;
  effect: 'permit' | 'forbid';
  annotations: Readonly<Record<string, string>>;
}

export interface EngineParts {
  dir: string;
  digest: string;
  warnings: string[];
  ids: { schema: string; policySet: string; explain: string };
  groups: Groups;
  plan: ExplainPlan;
  meta: ReadonlyMap<string, PolicyMeta>;
}
