/**
 * What a pipeline step may ask the service to allow. One list: the request schema, the pipe's
 * ACTION variable, `policy test` and the Cedar schema check all accept exactly these.
 */
export const ACTIONS = Object.freeze(['deploy', 'provision', 'access-grant', 'artifact-delivery'] as const);

export type Action = (typeof ACTIONS)[number];

export function isAction(value: unknown): value is Action {
  return ACTIONS.some((action) => action === value);
}
