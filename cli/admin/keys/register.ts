import { commandFamily } from '../../options/commander.ts';
import { KEYS_GENERATE_OPTIONS, KEYS_PUBLISH_OIDC_OPTIONS, KEYS_ROTATE_OPTIONS } from './keys-options.ts';

/** `keys generate` and `keys rotate`: in both deployables (an operator may run either). */
export const registerKeys = commandFamily('keys', 'manage the decision service signing keys', [
  {
    name: 'generate',
    description:
      'write a new private signing key (mode 0600) and the public JWKS to give pipes as DECISION_KEYS',
    options: KEYS_GENERATE_OPTIONS,
    load: async () => (await import('./keys-generate-command.ts')).keysGenerateCommand,
  },
  {
    name: 'rotate',
    description:
      'new signing key, announced on KEYS_TOPIC as the next key set (signed by the key in use) before it is used',
    options: KEYS_ROTATE_OPTIONS,
    load: async () => (await import('./keys-rotate-command.ts')).keysRotateCommand,
  },
  {
    name: 'publish-oidc',
    description:
      "write the gate issuer's discovery document and JWKS as static files, the same bytes `serve` answers with",
    options: KEYS_PUBLISH_OIDC_OPTIONS,
    load: async () => (await import('./keys-publish-oidc-command.ts')).keysPublishOidcCommand,
  },
]);
