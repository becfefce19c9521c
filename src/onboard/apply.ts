import { GateError } from '../errors.ts';
import { adminFailure } from '../transport/admin-failure.ts';
import { adminRest } from '../transport/websocket/admin-rest.ts';
import { webSocketBase } from '../transport/websocket/base-url.ts';
import { restPath } from './commands.ts';
import type { Onboarding } from './grants.ts';

const TIMEOUT_MS = 15_000;

/**
 * Applies an onboarding through the admin REST API with an admin token (a superuser or the
 * tenant's admin): creates each topic (one that exists is left as it is: 409), then makes each
 * grant (POST …/permissions/{role}, which sets that role's actions on the topic). Stops at
 * the first refusal; every step before it is idempotent, so running it again finishes it.
 */
export async function applyOnboarding(
  plan: Onboarding,
  adminUrl: string,
  token: string,
  done: (line: string) => void,
): Promise<void> {
  const base = webSocketBase(adminUrl);
  const call = async (method: 'PUT' | 'POST', path: string, what: string, body?: unknown) => {
    let response: Response;
    try {
      ({ response } = await adminRest(base, path, token, { method, body, timeoutMs: TIMEOUT_MS }));
    } catch (cause) {
      throw new GateError(
        'PULSAR_UNREACHABLE',
        `${what}: the admin REST API did not answer (${String(cause)})`,
        {
          cause,
        },
      );
    }
    await response.body?.cancel();
    return response.status;
  };
  for (const topic of plan.topics) {
    const what = `creating ${topic}`;
    const status = await call('PUT', restPath(topic), what);
    if (status !== 409 && (status < 200 || status > 299))
      throw adminFailure(status, what, 'the admin token must be a superuser or the tenant admin');
    done(`${status === 409 ? 'exists' : 'created'} ${topic}`);
  }
  for (const grant of plan.grants) {
    const what = `granting ${grant.role} ${grant.actions.join(',')} on ${grant.topic}`;
    const path = `${restPath(grant.topic)}/permissions/${encodeURIComponent(grant.role)}`;
    const status = await call('POST', path, what, grant.actions);
    if (status < 200 || status > 299)
      throw adminFailure(status, what, 'the admin token must be a superuser or the tenant admin');
    done(`granted ${grant.role} ${grant.actions.join(',')} on ${grant.topic}`);
  }
}
