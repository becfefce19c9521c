import { connect as tcpConnect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { GateError } from '../../errors.ts';
import type { TokenSource } from '../transport.ts';

export type CredentialVerdict = 'accepted' | 'refused' | 'unknown';

/**
 * One CONNECT on Pulsar's binary protocol, to tell a refused credential from a slow broker:
 * the C++ client (4.2) does not surface the broker's answer to a refused CONNECT — a
 * CommandError with AuthenticationError — but drops the connection and retries its lookup
 * until the operation timeout, then says only "TimeOut". The broker answers this CONNECT
 * with CONNECTED, AUTH_CHALLENGE or ERROR (PulsarApi.proto BaseCommand, CommandConnect,
 * CommandError; framing: 4-byte total size, 4-byte command size, the command). Anything else
 * (no answer, TLS failure, an unexpected frame) is 'unknown' and changes nothing.
 */
export function checkCredential(
  url: URL,
  token: string | undefined,
  timeoutMs = 10_000,
): Promise<CredentialVerdict> {
  return new Promise((resolve) => {
    const port = Number(url.port || (url.protocol === 'pulsar+ssl:' ? 6651 : 6650));
    const host = url.hostname.replace(/^\[|\]$/g, '');
    const socket =
      url.protocol === 'pulsar+ssl:'
        ? tlsConnect({ host, port, servername: host })
        : tcpConnect({ host, port });
    let received = Buffer.alloc(0);
    const done = (verdict: CredentialVerdict) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(verdict);
    };
    const timer = setTimeout(() => done('unknown'), timeoutMs);
    socket.once(url.protocol === 'pulsar+ssl:' ? 'secureConnect' : 'connect', () =>
      socket.write(connectFrame(token)),
    );
    socket.on('error', () => done('unknown'));
    socket.on('close', () => done('unknown'));
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      if (received.length < 8) return;
      const total = received.readUInt32BE(0);
      if (received.length < 4 + total) return;
      done(verdictOf(received.subarray(8, 8 + received.readUInt32BE(4))));
    });
  });
}

/**
 * Wraps the transport's operations: each settles as it would, or fails with PULSAR_AUTH as
 * soon as the broker refused the credential (checked once, on first use).
 */
export function refusedCredentialGuard(url: URL, token: TokenSource | undefined, target: string) {
  let verdict: Promise<CredentialVerdict> | undefined;
  return <T>(operation: Promise<T>): Promise<T> => {
    verdict ??= Promise.resolve(typeof token === 'function' ? token() : token)
      .then((current) => checkCredential(url, current))
      .catch((): CredentialVerdict => 'unknown');
    const refused = verdict.then((said) =>
      said === 'refused'
        ? Promise.reject(new GateError('PULSAR_AUTH', `Pulsar refused this client's credential at ${target}`))
        : new Promise<never>(() => {}),
    );
    return Promise.race([operation, refused]);
  };
}

function connectFrame(token: string | undefined): Buffer {
  const connect = Buffer.concat([
    bytesField(1, Buffer.from('pulsar-gate credential check')), // client_version
    ...(token === undefined
      ? []
      : [bytesField(5, Buffer.from('token')), bytesField(3, Buffer.from(token, 'utf8'))]),
    varintField(4, 21), // protocol_version
  ]);
  const command = Buffer.concat([varintField(1, 2), bytesField(2, connect)]); // type CONNECT
  const head = Buffer.alloc(8);
  head.writeUInt32BE(4 + command.length, 0);
  head.writeUInt32BE(command.length, 4);
  return Buffer.concat([head, command]);
}

/** CONNECTED (3) or AUTH_CHALLENGE (36): accepted; ERROR (14) with AuthenticationError (3): refused. */
function verdictOf(command: Buffer): CredentialVerdict {
  const fields = decode(command);
  const type = fields.get(1);
  if (type === 3 || type === 36) return 'accepted';
  const error = fields.get(14);
  if (type === 14 && Buffer.isBuffer(error) && decode(error).get(2) === 3) return 'refused';
  return 'unknown';
}

function varint(value: number): Buffer {
  const out: number[] = [];
  let rest = value;
  while (rest >= 0x80) {
    out.push((rest % 0x80) | 0x80);
    rest = Math.floor(rest / 0x80);
  }
  out.push(rest);
  return Buffer.from(out);
}
const varintField = (field: number, value: number) => Buffer.concat([varint(field * 8), varint(value)]);
const bytesField = (field: number, value: Buffer) =>
  Buffer.concat([varint(field * 8 + 2), varint(value.length), value]);

/** The varint and length-delimited fields of a protobuf message (first of each number). */
function decode(bytes: Buffer): Map<number, number | Buffer> {
  const fields = new Map<number, number | Buffer>();
  let offset = 0;
  const next = (): number => {
    let value = 0;
    for (let scale = 1; offset < bytes.length; scale *= 0x80) {
      const byte = bytes[offset++] ?? 0;
      value += (byte & 0x7f) * scale;
      if ((byte & 0x80) === 0) return value;
    }
    return Number.NaN;
  };
  while (offset < bytes.length) {
    const tag = next();
    const [field, wire] = [Math.floor(tag / 8), tag % 8];
    if (wire === 0) {
      const value = next();
      if (!fields.has(field)) fields.set(field, value);
    } else if (wire === 2) {
      const length = next();
      if (!fields.has(field)) fields.set(field, bytes.subarray(offset, offset + length));
      offset += length;
    } else {
      return fields; // no fixed-width fields in the commands read here
    }
  }
  return fields;
}
