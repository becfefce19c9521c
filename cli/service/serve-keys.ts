import { loadDecryptionKeys } from '../../src/keys/decryption-keys.ts';
import { loadSigners, swappableSigner } from '../../src/service/signing-keys.ts';
import { tokenKeys } from '../../src/service/token-keys.ts';
import { systemClock } from '../../src/time.ts';
import type { Reloadable } from './serve-reload.ts';

/**
 * The service's private keys, each checked at start: the signing key (decisions and audit
 * checkpoints, which switch keys together on SIGHUP) and the encryption keys the step tokens
 * are sealed to (without them no request could be read).
 */
export async function openServiceKeys(
  files: { readonly signingKeyFile: string; readonly encryptionKeysFile: string },
  warn: (message: string) => void,
) {
  const signers = await loadSigners(files.signingKeyFile);
  const decision = swappableSigner(signers.decision);
  const checkpoint = swappableSigner(signers.checkpoint);
  const readKeyring = () => loadDecryptionKeys(files.encryptionKeysFile);
  const keyring = tokenKeys(await readKeyring(), { clock: systemClock, reload: readKeyring, log: warn });
  const swap: Reloadable['signers'] = {
    kid: () => decision.port.kid,
    swap: (next) => {
      decision.swap(next.decision);
      checkpoint.swap(next.checkpoint);
    },
  };
  return { signer: decision.port, checkpointSigner: checkpoint.port, keyring, readKeyring, signers: swap };
}
