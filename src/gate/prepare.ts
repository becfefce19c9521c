import type { AwsCredentials } from '../credentials/credentials.ts';
import { secretsOf } from '../credentials/credentials.ts';
import type { RequestSigner } from '../events/request-signing.ts';
import { sealStepToken } from '../events/token-seal.ts';
import type { RunEncryptionKey } from '../jose/run-encryption-key.ts';
import { pinnedTrust, type TrustSource } from '../keys/trust-source.ts';
import { currentEncryptionKey } from '../keys/trusted-encryption-keys.ts';
import type { TrustedKeys } from '../keys/trusted-keys.ts';
import type { Attachment, Publisher } from '../transport/transport.ts';
import type { GatePorts, GateRequest } from './ports.ts';

export interface Prepared {
  readonly trust: TrustSource;
  /** Step mode: assumed with the step token before the wait. Gate mode: none yet. */
  readonly credentials: AwsCredentials | undefined;
  /** Gate mode: this run's own encryption key, which the gate token comes encrypted to. */
  readonly runKey: RunEncryptionKey | undefined;
  readonly attachment: Attachment;
  readonly publisher: Publisher;
  readonly signer: RequestSigner;
  /** The step token encrypted to the service's current encryption key (P5; docs/formats.md). */
  readonly identityTokenJwe: string;
}

/** Lets the sockets opened so far send their connect before more JS runs (a macrotask turn). */
const yieldToIo = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * Everything the request needs, at the same time: the STS exchange, the attachment to the
 * reply topic, the producer on the request topic and the per-run signing key are
 * independent. Only publishing must wait for all of them — attaching before publishing is
 * what matters: a reply sent before the attachment would be missed. The Pulsar connects go out first, then the AWS SDK (most
 * of the start-up cost) loads while they are in flight. On any failure whatever was opened
 * is closed, and the identity error, the earliest in the flow, is the one reported.
 */
export async function prepare(ports: GatePorts, request: GateRequest): Promise<Prepared> {
  const attaching = ports.transport.attach(request.replyTopic);
  const producing = ports.transport.publisher(request.topic);
  // Failures are read below (allSettled); until then a fast refusal (a broker's 401 on the
  // preconnected socket, before DECISION_KEYS is loaded) must not be an unhandled rejection.
  const settleLater = (p: Promise<unknown>): void => void p.catch(() => {});
  settleLater(attaching);
  settleLater(producing);
  await yieldToIo();
  const signing = ports.newSigner();
  settleLater(signing);
  // Load the decision verifier while the network works; run-gate imports it when it waits.
  import('./wait-for-decision.ts').catch(() => {});
  // DECISION_KEYS is checked before the token is shown to anyone: bad keys are a
  // configuration error (exit 2), and nothing has been published yet.
  let trusting: Promise<Trusted>;
  try {
    const root = await ports.trustedKeys();
    // Pinned alone, the root must name the key the token is encrypted to; with KEYS_TOPIC the
    // newest set followed from it must (a root from before encryption may be rotated onto it).
    if (request.keysTopic === undefined) currentEncryptionKey(root);
    trusting = trustSource(ports, request, root);
  } catch (error) {
    await closeOpened(await Promise.allSettled([attaching, producing]));
    throw error;
  }
  // Gate mode: no STS call before the wait — the credentials come from the gate token an
  // allow carries (issue 14). Step mode: the step token is exchanged now, as before.
  const exchanging: Promise<AwsCredentials | undefined> =
    request.mode === 'gate'
      ? Promise.resolve(undefined)
      : ports.credentials.assume({
          ...request.session,
          webIdentityToken: request.token.value,
          subject: request.token.claims.sub,
          audience: request.token.claims.aud,
        });
  const keying: Promise<RunEncryptionKey | undefined> =
    request.mode === 'gate'
      ? import('../jose/run-encryption-key.ts').then((m) => m.generateRunEncryptionKey())
      : Promise.resolve(undefined);
  // Encrypted while STS answers: off the critical path (an ECDH and an AES-GCM, ~1 ms).
  const sealing = trusting.then(({ keys }) => sealStepToken(request.token.value, currentEncryptionKey(keys)));
  const [exchange, attached, producer, signer, trusted, sealed, keyed] = await Promise.allSettled([
    exchanging,
    attaching,
    producing,
    signing,
    trusting,
    sealing,
    keying,
  ]);
  if (exchange.status === 'fulfilled' && exchange.value)
    for (const secret of secretsOf(exchange.value)) ports.log.secret(secret);
  if (
    exchange.status === 'fulfilled' &&
    attached.status === 'fulfilled' &&
    producer.status === 'fulfilled' &&
    signer.status === 'fulfilled' &&
    trusted.status === 'fulfilled' &&
    sealed.status === 'fulfilled' &&
    keyed.status === 'fulfilled'
  ) {
    return {
      trust: trusted.value.source,
      credentials: exchange.value,
      runKey: keyed.value,
      attachment: attached.value,
      publisher: producer.value,
      signer: signer.value,
      identityTokenJwe: sealed.value,
    };
  }
  const trust: PromiseSettledResult<TrustSource> =
    trusted.status === 'fulfilled' ? { status: 'fulfilled', value: trusted.value.source } : trusted;
  await closeOpened([attached, producer, trust]);
  const failure = [exchange, attached, producer, signer, trusted, sealed, keyed].find(
    (r) => r.status === 'rejected',
  );
  throw failure?.status === 'rejected' ? failure.reason : new Error('prepare failed');
}

async function closeOpened(
  results: ReadonlyArray<PromiseSettledResult<{ close(): Promise<void> }>>,
): Promise<void> {
  await Promise.allSettled(results.map((r) => (r.status === 'fulfilled' ? r.value.close() : undefined)));
}

/** The trust source for the wait, and the keys it held when the request was made. */
interface Trusted {
  readonly source: TrustSource;
  readonly keys: TrustedKeys;
}

/**
 * The pinned DECISION_KEYS, or — with KEYS_TOPIC — the key-set chain followed from them, read
 * to the topic's end now, so a broken or unreadable keys topic stops the run before publishing.
 */
async function trustSource(ports: GatePorts, request: GateRequest, root: TrustedKeys): Promise<Trusted> {
  if (request.keysTopic === undefined) return { source: pinnedTrust(root), keys: root };
  const { followKeysTopic } = await import('../keys/key-follower.ts');
  const source = await followKeysTopic({
    transport: ports.transport,
    topic: request.keysTopic,
    root,
    log: ports.log,
  });
  try {
    return { source, keys: await source.current(ports.clock.now() + request.timeoutMs) };
  } catch (error) {
    await source.close();
    throw error;
  }
}
