// The transports a test runs over: the WebSocket API always, the native client wherever its
// addon loads (`.ci/run` installs it; elsewhere the test says once why it runs on one only).
import { GateError } from '../../src/errors.ts';
import { loadNative } from '../../src/transport/native/load.ts';
import { openTransport } from '../../src/transport/open.ts';
import type { TokenSource, Transport } from '../../src/transport/transport.ts';
import type { BrokerInfo } from '../peers/pulsar/types.ts';

export type Via = 'WebSocket' | 'native';

/** Why the native addon does not load here, or undefined when it does. */
export function nativeUnavailableReason(): string | undefined {
  try {
    loadNative();
    return undefined;
  } catch (error) {
    return error instanceof GateError && error.cause instanceof Error
      ? error.cause.message.split('\n')[0]
      : String(error);
  }
}

/** For describe.each: every transport this machine can run. */
export function transportsHere(what: string): Via[] {
  const reason = nativeUnavailableReason();
  if (reason === undefined) return ['WebSocket', 'native'];
  console.warn(`[skipped] ${what} over pulsar://: the pulsar-client addon does not load here (${reason})`);
  return ['WebSocket'];
}

/** PULSAR_URL of the broker for this transport. */
export const brokerUrl = (broker: BrokerInfo, via: Via): string =>
  via === 'native' ? broker.serviceUrl : broker.webSocketUrl;

export const openVia = (broker: BrokerInfo, via: Via, token: TokenSource | undefined): Transport =>
  openTransport({ url: brokerUrl(broker, via), token });
