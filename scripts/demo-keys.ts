// `npm run demo`: the decision service's keys, written as an operator keeps them (private
// files 0600): its signing key, its encryption keys, the public keys the pipe trusts
// (DECISION_KEYS) and the gate-issuer key set (GATE_ISSUER, issue 14).
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateGateKeySet, generateServiceKey } from '../src/keys/service-keys.ts';

/** A new temporary folder with the four key files; the caller removes it. */
export async function writeDemoKeys(): Promise<string> {
  const keys = await mkdtemp(join(tmpdir(), 'pulsar-gate-demo-keys-'));
  const { privateJwk, encryptionJwk, publicJwks } = await generateServiceKey();
  await writeFile(join(keys, 'service-key.json'), JSON.stringify(privateJwk), { mode: 0o600 });
  await writeFile(join(keys, 'service-enc-keys.json'), JSON.stringify({ keys: [encryptionJwk] }), {
    mode: 0o600,
  });
  await writeFile(join(keys, 'decision-keys.json'), JSON.stringify(publicJwks));
  await writeFile(join(keys, 'gate-keys.json'), JSON.stringify(await generateGateKeySet()), { mode: 0o600 });
  return keys;
}
