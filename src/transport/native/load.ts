import { createRequire } from 'node:module';
import { GateError } from '../../errors.ts';

/** The subset of the `pulsar-client` module we use (apache/pulsar-client-node index.d.ts). */
export interface NativeModule {
  Client: new (config: Record<string, unknown>) => NativeClient;
  AuthenticationToken: new (params: { token: string | (() => Promise<string>) }) => unknown;
  MessageId: { earliest(): NativeMessageId };
}
export interface NativeMessageId {
  serialize(): Buffer;
  toString(): string;
}
export interface NativeMessage {
  getData(): Buffer;
  getProperties(): Record<string, string>;
  getMessageId(): NativeMessageId;
  getPublishTimestamp(): number;
  getRedeliveryCount(): number;
  getPartitionKey(): string;
}
export interface NativeConsumer {
  /** Without a timeout the addon waits asynchronously; with one it blocks a libuv pool thread. */
  receive(): Promise<NativeMessage>;
  acknowledge(message: NativeMessage): Promise<null>;
  negativeAcknowledge(message: NativeMessage): void;
  unsubscribe(): Promise<null>;
  close(): Promise<null>;
}
export interface NativeReader {
  /** Only after `hasNext()` said yes, without a time-out, and never closed while out (read-to-end.ts). */
  readNext(timeoutMs?: number): Promise<NativeMessage>;
  /** Synchronous: asks the broker for the topic's last message id when nothing is queued. */
  hasNext(): boolean;
  isConnected(): boolean;
  close(): Promise<null>;
}
export interface NativeProducer {
  send(message: { data: Buffer; properties?: Record<string, string>; partitionKey?: string }): Promise<{
    toString(): string;
    serialize(): Buffer;
  }>;
  flush(): Promise<null>;
  close(): Promise<null>;
}
export interface NativeClient {
  createProducer(config: Record<string, unknown>): Promise<NativeProducer>;
  subscribe(config: Record<string, unknown>): Promise<NativeConsumer>;
  createReader(config: Record<string, unknown>): Promise<NativeReader>;
  close(): Promise<null>;
}

export const NATIVE_INSTALL_HINT =
  'pulsar:// URLs need the optional native client: run `npm install pulsar-client` where its prebuilt binary can be downloaded, or use the WebSocket API (ws://, wss://, http://, https://)';

/**
 * Loads `pulsar-client` on first use only: its addon is optional (its install downloads a
 * prebuilt binary) and loading it costs start-up time the WebSocket path does not need.
 */
export function loadNative(load: (id: string) => unknown = createRequire(import.meta.url)): NativeModule {
  try {
    const module = withoutOurArguments(() => load('pulsar-client'));
    if (!isNativeModule(module))
      throw new Error('pulsar-client does not export Client, AuthenticationToken and MessageId');
    return module;
  } catch (cause) {
    throw new GateError('PULSAR_NATIVE_UNAVAILABLE', NATIVE_INSTALL_HINT, { cause });
  }
}

/**
 * pulsar-client finds its addon with node-pre-gyp's `find()`, which parses `process.argv`
 * with nopt (node-pre-gyp lib/pre-binding.js): our own flags are read as its own — `--dir X`
 * as its `--directory` — and the addon is looked for under X. It sees none of ours while
 * it loads (once; the module is cached after).
 */
function withoutOurArguments<T>(load: () => T): T {
  const argv = process.argv;
  process.argv = argv.slice(0, 2);
  try {
    return load();
  } finally {
    process.argv = argv;
  }
}

function isNativeModule(value: unknown): value is NativeModule {
  return (
    typeof value === 'object' &&
    value !== null &&
    'Client' in value &&
    typeof value.Client === 'function' &&
    'AuthenticationToken' in value &&
    typeof value.AuthenticationToken === 'function' &&
    'MessageId' in value &&
    typeof value.MessageId === 'function'
  );
}
