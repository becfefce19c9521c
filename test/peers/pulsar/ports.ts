// Port helpers: pick free loopback ports for a broker, and list what a process really listens on.
import { readdir, readFile, readlink } from 'node:fs/promises';
import { createServer } from 'node:net';

/** Asks the kernel for a free port on 127.0.0.1. Tiny race until the broker binds it; fine for tests. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address !== null && typeof address === 'object') resolve(address.port);
        else reject(new Error('could not read the port the kernel assigned'));
      });
    });
  });
}

/** Distinct free ports (asked for one after another so the kernel cannot hand out one twice). */
export async function freePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await freePort());
  return [...ports];
}

export interface ListeningSocket {
  address: string;
  port: number;
}

// /proc/net/tcp{,6} addresses are hex in host byte order (little-endian on x86/arm64).
function decodeAddress(hex: string): string {
  if (hex.length === 8) {
    const bytes = hex.match(/../g) ?? [];
    return bytes
      .map((b) => Number.parseInt(b, 16))
      .reverse()
      .join('.');
  }
  if (hex === '00000000000000000000000000000000') return '::';
  if (hex === '0000000000000000FFFF00000100007F') return '::ffff:127.0.0.1';
  if (hex === '00000000000000000000000001000000') return '::1';
  return hex;
}

/**
 * The TCP sockets the given Linux processes (and only they) listen on: their fds' socket inodes
 * matched against /proc/net/tcp and tcp6 entries in state 0A (LISTEN).
 */
export async function listeningSockets(pids: number[]): Promise<ListeningSocket[]> {
  const inodes = new Set<string>();
  for (const pid of pids) {
    for (const fd of await readdir(`/proc/${pid}/fd`).catch(() => [])) {
      const target = await readlink(`/proc/${pid}/fd/${fd}`).catch(() => '');
      const match = /^socket:\[(\d+)\]$/.exec(target);
      if (match?.[1] !== undefined) inodes.add(match[1]);
    }
  }
  const sockets: ListeningSocket[] = [];
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    const text = await readFile(table, 'utf8').catch(() => '');
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      const [local, state, inode] = [cols[1], cols[3], cols[9]];
      if (local === undefined || state !== '0A' || inode === undefined || !inodes.has(inode)) continue;
      const [addr = '', port = '0'] = local.split(':');
      sockets.push({ address: decodeAddress(addr), port: Number.parseInt(port, 16) });
    }
  }
  return sockets;
}
