import type { RequestEvent } from '../events/request.ts';
import type { DeciderPorts } from './ports.ts';

/** The verified request being answered, and the policy set it is judged by (read once). */
export interface Answering {
  readonly event: RequestEvent;
  readonly requestDigest: string;
  readonly keyThumbprint: string;
  readonly ports: DeciderPorts;
  readonly policyDigest: string;
}

/**
 * What a decision is recorded as on the decisions topic (P2): the request's decision that
 * binds its step to its key (the default), the request's decision only (a deny for a second
 * key or a mis-routed request must not bind the step), or nothing (a refusal that cannot be
 * this request's decision: its id is another request's, its time outside the window).
 */
export type Binding = 'step' | 'request' | 'none';
