import type { DecryptionKeyring } from '../../src/keys/decryption-keys.ts';
import type { PolicyEngine } from '../../src/policy/types.ts';
import { loadSigners, type ServiceSigners } from '../../src/service/signing-keys.ts';

/** What SIGHUP reloads in `serve`, each part swapped whole or kept as it was. */
export interface Reloadable {
  /** The policy set in force: replaced only by one that loaded and validated. */
  readonly policy: { current: PolicyEngine };
  readonly signingKeyFile: string;
  /** Decisions and audit checkpoints switch keys together (one key file, both signers made first). */
  readonly signers: {
    readonly kid: () => string;
    swap(next: ServiceSigners): void;
  };
  readonly gate?: { reload(): Promise<string> } | undefined;
  /** Approvals, when on: the records' seal (key and trusted set) and the approver maps; says what is in force. */
  readonly approvals?: { reload(): Promise<string> } | undefined;
  readonly keyring: { swap(next: DecryptionKeyring): void };
  readonly readKeyring: () => Promise<DecryptionKeyring>;
  /** TOPICS read again and the service switched to them (serve-topics.ts, reloadTopics). */
  readonly topics: () => Promise<void>;
  readonly log: (level: 'info' | 'error', message: string) => void;
}

/**
 * SIGHUP: the policy directory, the signing key, the gate-issuer keys, the encryption keys and
 * TOPICS, each reloaded on its own; a part that fails to load keeps what is in force and says why
 * (an operator's typo must not stop a running gate).
 */
export function reloadAll(r: Reloadable): void {
  const { log } = r;
  r.policy.current
    .reload()
    .then((next) => {
      r.policy.current = next;
      log('info', `policy reloaded: ${next.digest}`);
    })
    .catch((error: unknown) =>
      log('error', `policy reload failed, keeping ${r.policy.current.digest}: ${messageOf(error)}`),
    );
  loadSigners(r.signingKeyFile)
    .then((next) => {
      if (next.decision.kid !== r.signers.kid()) log('info', `signing key reloaded: ${next.decision.kid}`);
      r.signers.swap(next);
    })
    .catch((error: unknown) =>
      log('error', `signing key reload failed, keeping ${r.signers.kid()}: ${messageOf(error)}`),
    );
  r.gate
    ?.reload()
    .then((kid) => log('info', `gate-issuer keys reloaded: signing with ${kid}`))
    .catch((error: unknown) => log('error', `gate-issuer keys reload failed: ${messageOf(error)}`));
  r.approvals
    ?.reload()
    .then((now) => log('info', `approvals reloaded: ${now}`))
    .catch((error: unknown) =>
      log('error', `approvals reload failed, keeping what is in force: ${messageOf(error)}`),
    );
  r.readKeyring()
    .then((next) => r.keyring.swap(next))
    .catch((error: unknown) => log('error', `encryption keys reload failed: ${messageOf(error)}`));
  void r.topics();
}

export const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));
