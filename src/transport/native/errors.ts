import { type ErrorCode, GateError, isGateError } from '../../errors.ts';

/**
 * The addon rejects with `Error("Failed to <operation>: <Result>")`, where Result is the C++
 * client's pulsar_result_str (pulsar-client-cpp lib/Result.cc). The Result decides our code.
 */
const BY_RESULT: ReadonlyArray<readonly [RegExp, ErrorCode]> = [
  [/AuthenticationError/, 'PULSAR_AUTH'],
  [/AuthorizationError/, 'PULSAR_NOT_PERMITTED'],
  [/MessageTooBig/, 'PULSAR_PAYLOAD_TOO_LARGE'],
  [/TopicNotFound/, 'PULSAR_TOPIC_NOT_FOUND'],
  [/AlreadyClosed|ConsumerNotFound|ProducerNotFound/, 'PULSAR_CLOSED'],
  [/TimeOut/, 'PULSAR_TIMEOUT'],
  [/ConnectError|NotConnected|ServiceUnitNotReady|Disconnected|Retryable|LookupError/, 'PULSAR_UNREACHABLE'],
];

export function resultOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** A GateError for what the native client said while `doing` (never a token: it has none). */
export function nativeError(
  error: unknown,
  doing: string,
  target: string,
  access?: { topic: string; action: 'produce' | 'consume' },
): GateError {
  if (isGateError(error)) return error;
  const said = resultOf(error);
  const code = BY_RESULT.find(([pattern]) => pattern.test(said))?.[1] ?? 'PULSAR_PROTOCOL';
  return new GateError(code, `${doing} at ${target}: ${said}`, {
    cause: error,
    ...(code === 'PULSAR_NOT_PERMITTED' && access ? { details: { ...access } } : {}),
  });
}

/** True when the native client said the operation timed out (a receive with nothing to read). */
export function isNativeTimeout(error: unknown): boolean {
  return /TimeOut/.test(resultOf(error));
}
