import { Option } from 'commander';
import type { Register } from '../../program.ts';

/** `keys generate` and `keys rotate`: in both deployables (an operator may run either). */
export const registerKeys: Register = (program, io, exit) => {
  const keys = program.command('keys').description('manage the decision service signing keys');
  keys
    .command('generate')
    .description(
      'write a new private signing key (mode 0600) and the public JWKS to give pipes as DECISION_KEYS',
    )
    .requiredOption('--out <dir>', 'directory for service-key.json (private) and decision-keys.json (public)')
    .addOption(new Option('--alg <alg>', 'signature algorithm').choices(['ES256', 'EdDSA']).default('ES256'))
    .option('--add', 'keep the keys already in decision-keys.json (rotation: old keys keep verifying)')
    .action(async (options: { out: string; alg: 'ES256' | 'EdDSA'; add?: boolean }) => {
      const { keysGenerateCommand } = await import('./keys-generate-command.ts');
      exit(await keysGenerateCommand(options, io));
    });
  keys
    .command('rotate')
    .description(
      'new signing key, announced on KEYS_TOPIC as the next key set (signed by the key in use) before it is used',
    )
    .requiredOption(
      '--dir <dir>',
      'the keys directory of `keys generate` (service-key.json, decision-keys.json)',
    )
    .option('--keys-topic <topic>', 'full topic name pipes read key sets from [env: KEYS_TOPIC]')
    .option('--pulsar-url <url>', 'broker web service URL [env: PULSAR_URL]')
    .option('--pulsar-token <jwt>', 'a token whose role may produce on the keys topic [env: PULSAR_TOKEN]')
    .option('--grace <seconds>', 'how long the replaced key keeps verifying decisions', '3600')
    .action(async (options: Record<string, string | undefined>) => {
      const { parseRotateOptions } = await import('./keys-rotate-options.ts');
      const { keysRotateCommand } = await import('./keys-rotate-command.ts');
      const parsed = parseRotateOptions(options, io.env);
      if (typeof parsed === 'string') {
        io.write(`✖ keys rotate: ${parsed}\n`);
        exit(2);
        return;
      }
      exit(await keysRotateCommand(parsed, io));
    });
};
