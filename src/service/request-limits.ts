import type { Clock } from '../time.ts';
import { StepQuota } from './step-quota.ts';
import { TokenBuckets } from './token-buckets.ts';

/** What a limit is counted by: only facts of the verified step token (P3), never the request's word. */
export interface LimitedRequest {
  readonly stepUuid: string;
  readonly repositoryUuid: string;
  readonly requestId: string;
}

export type Admission =
  | { readonly ok: true }
  | { readonly ok: false; readonly limit: 'step' | 'repository'; readonly reason: string };

/**
 * The port with one job: may this request be decided? Asked before anything is decided,
 * signed or recorded (issue 13 §4). The in-memory implementation below counts per replica;
 * a shared one (state kept through Pulsar) can replace it behind this interface, hence async.
 */
export interface RequestLimiter {
  admit(request: LimitedRequest): Promise<Admission>;
}

export interface RequestLimits {
  /** Requests one step may have decided (MAX_REQUESTS_PER_STEP). */
  readonly perStep: number;
  /** Requests one repository may have decided per minute (RATE_LIMIT_PER_REPOSITORY). */
  readonly perRepositoryPerMinute: number;
}

/**
 * Both limits, per replica. A request already admitted (the same step and request id, e.g.
 * a redelivery after a transient failure) is admitted again without counting twice. The
 * step's quota is checked before the repository's bucket is drawn from, and taken only
 * once both allow it, so a refusal costs neither.
 */
export class InMemoryRequestLimiter implements RequestLimiter {
  readonly #limits: RequestLimits;
  readonly #steps: StepQuota;
  readonly #buckets: TokenBuckets;

  constructor(limits: RequestLimits, clock: Clock) {
    this.#limits = limits;
    this.#steps = new StepQuota(limits.perStep, clock);
    this.#buckets = new TokenBuckets(limits.perRepositoryPerMinute, 60_000, clock);
  }

  async admit(request: LimitedRequest): Promise<Admission> {
    if (this.#steps.holds(request.stepUuid, request.requestId)) return { ok: true };
    if (!this.#steps.hasRoom(request.stepUuid)) {
      return {
        ok: false,
        limit: 'step',
        reason: `limit: step ${request.stepUuid} already had ${this.#limits.perStep} requests decided (MAX_REQUESTS_PER_STEP)`,
      };
    }
    if (!this.#buckets.take(request.repositoryUuid)) {
      return {
        ok: false,
        limit: 'repository',
        reason: `limit: repository ${request.repositoryUuid} sent more than ${this.#limits.perRepositoryPerMinute} requests a minute (RATE_LIMIT_PER_REPOSITORY)`,
      };
    }
    this.#steps.add(request.stepUuid, request.requestId);
    return { ok: true };
  }
}
