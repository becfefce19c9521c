import { isRecord } from '../lib/is-record.ts';
import { printable } from '../lib/printable.ts';
import { answerFor } from './answer-for.ts';
import type { VerifiedPipeline } from './facts.ts';

const COMMIT = /^[0-9a-f]{40}$/;

/**
 * A `pipeline` body (Bitbucket REST API 2.0, "Get a pipeline"): its target (a
 * `pipeline_ref_target` with ref_type branch or tag, or a `pipeline_commit_target`), the
 * full commit hash, the trigger and the creator. Anything else is refused, never guessed.
 */
export function parsePipeline(body: unknown, expectedUuid: string): VerifiedPipeline {
  const { body: run, refuse: bad } = answerFor(body, 'pipeline', expectedUuid);
  const target = run.target;
  if (!isRecord(target)) throw bad('no target');
  const commit = isRecord(target.commit) ? target.commit.hash : undefined;
  if (typeof commit !== 'string' || !COMMIT.test(commit)) throw bad('no full commit hash');
  let ref: VerifiedPipeline['ref'];
  if (target.type === 'pipeline_ref_target') {
    if ((target.ref_type !== 'branch' && target.ref_type !== 'tag') || typeof target.ref_name !== 'string')
      throw bad(`unsupported ref ${printable(target.ref_type)}`);
    ref = Object.freeze({ type: target.ref_type, name: target.ref_name });
  } else if (target.type === 'pipeline_commit_target') ref = Object.freeze({ type: 'commit' });
  else throw bad(`unsupported target ${printable(target.type)}`);
  const trigger = isRecord(run.trigger) && typeof run.trigger.type === 'string' ? run.trigger.type : '';
  if (!trigger.startsWith('pipeline_trigger_')) throw bad('no trigger');
  const creator = run.creator;
  if (!isRecord(creator) || typeof creator.uuid !== 'string') throw bad('no creator');
  return Object.freeze({
    uuid: expectedUuid,
    buildNumber: typeof run.build_number === 'number' ? run.build_number : 0,
    ref,
    commit,
    trigger: trigger.slice('pipeline_trigger_'.length),
    triggeredBy: Object.freeze({
      uuid: creator.uuid,
      ...(typeof creator.account_id === 'string' ? { accountId: creator.account_id } : {}),
      ...(typeof creator.display_name === 'string' ? { displayName: creator.display_name } : {}),
    }),
  });
}
