import { GateError } from '../errors.ts';

/**
 * An admin REST answer that is not a success, as a GateError: 401 the credentials, 403 the
 * role's permissions (`need` says which), 404 what does not exist, anything else the protocol.
 */
export function adminFailure(status: number, what: string, need: string): GateError {
  if (status === 401)
    return new GateError('PULSAR_AUTH', `Pulsar refused the credentials ${what} (HTTP 401)`);
  if (status === 403)
    return new GateError('PULSAR_NOT_PERMITTED', `Pulsar refused ${what} (HTTP 403): ${need}`);
  if (status === 404) return new GateError('PULSAR_TOPIC_NOT_FOUND', `${what}: not found (HTTP 404)`);
  return new GateError('PULSAR_PROTOCOL', `${what}: HTTP ${status}`);
}
