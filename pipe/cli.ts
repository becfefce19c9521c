import { Command, Option } from 'commander';
import { AUDIT_SOURCE_FLAGS, type AuditSourceOptions } from './audit-flags.ts';
import { keysGenerateCommand } from './keys-command.ts';
import { type Io, requestCommand } from './request-command.ts';
import { SERVE_OPTIONS } from './serve-options.ts';
import { type RawVariables, VARIABLES } from './variables.ts';

const camel = (flag: string): string =>
  flag.replace(/^--/, '').replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

/**
 * The command line. Pipe variables are environment variables; every one has a flag of the
 * same meaning (`--topic` ↔ TOPIC), flags win, so the same command works outside Bitbucket.
 * Commander only maps names: validation happens once, in pipe/config.ts, so all problems
 * are reported together.
 */
export function buildProgram(io: Io, exit: (code: number) => void): Command {
  const program = new Command('pulsar-gate')
    .description(
      'Gate a Bitbucket Pipelines step on OIDC identity and a signed policy decision over Apache Pulsar',
    )
    .configureOutput({ writeOut: io.write, writeErr: io.write })
    .exitOverride()
    .showHelpAfterError();

  const request = program
    .command('request', { isDefault: true })
    .description(
      'exchange the step OIDC token for AWS credentials, ask for a decision, and write the credentials on allow',
    );
  for (const variable of VARIABLES) {
    const takesValue = variable.name === 'DEBUG' ? '[bool]' : '<value>';
    const extra = 'defaultText' in variable ? ` (default: ${variable.defaultText})` : '';
    const required = 'required' in variable && variable.required ? ' (required)' : '';
    request.addOption(
      new Option(
        `${variable.flag} ${takesValue}`,
        `${variable.accepts}${required}${extra} [env: ${variable.name}]`,
      ),
    );
  }
  request.action(async (options: Record<string, string | boolean | undefined>) => {
    exit(await requestCommand(rawVariables(options, io), io));
  });

  const serve = program
    .command('serve')
    .description(
      'the decision service: verify requests, decide with Cedar policies, publish signed decisions',
    );
  for (const [flags, env, description] of SERVE_OPTIONS)
    serve.addOption(new Option(flags, `${description} [env: ${env}]`));
  serve.action(async (options: Record<string, string | boolean | undefined>) => {
    const raw: Record<string, string | undefined> = {};
    for (const [flags, env] of SERVE_OPTIONS) {
      const value = options[camel(flags.split(' ')[0] ?? '')];
      raw[env] = value === true ? 'true' : typeof value === 'string' ? value : io.env[env];
    }
    // Loaded on use: the policy engine (Cedar's wasm) is not needed by any other command.
    const { serveCommand } = await import('./serve-command.ts');
    exit(await serveCommand(raw, io, process));
  });

  program
    .command('policy')
    .description('work with a Cedar policy directory')
    .command('test')
    .description(
      'evaluate a request file against a policy directory and print the decision and the determining policies',
    )
    .requiredOption('--policy-dir <dir>', 'policies, schema.cedarschema and groups.json')
    .requiredOption('--request <file>', 'JSON: { claims, request, now? } (see examples/policies/requests/)')
    .action(async (options: { policyDir: string; request: string }) => {
      const { policyTestCommand } = await import('./policy-command.ts');
      exit(await policyTestCommand(options, io));
    });

  const audit = program.command('audit').description("check and export the decision service's audit trail");
  const sourced = (command: Command): Command => {
    for (const [flags, description] of AUDIT_SOURCE_FLAGS) command.option(flags, description);
    return command;
  };
  sourced(
    audit
      .command('verify')
      .description(
        'check a trail (file, topic or bucket): chain, seqs and signed checkpoints; prints the first broken link',
      ),
  ).action(async (options: AuditSourceOptions) => {
    const { auditVerifyCommand } = await import('./audit-command.ts');
    exit(await auditVerifyCommand(options, io));
  });
  sourced(
    audit
      .command('export')
      .description(
        'write an evidence bundle (JSON and Markdown) per deployment decided in [--from, --to], from a verified trail',
      )
      .requiredOption('--from <date>', 'first day (YYYY-MM-DD, UTC) or RFC 3339 time')
      .requiredOption('--to <date>', 'last day, included (YYYY-MM-DD, UTC) or RFC 3339 time, excluded')
      .requiredOption('--out <dir>', 'directory for the bundle'),
  ).action(async (options: AuditSourceOptions & { from: string; to: string; out: string }) => {
    const { auditExportCommand } = await import('./audit-command.ts');
    exit(await auditExportCommand(options, io));
  });

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
  return program;
}

/** CLI flags over environment variables, as raw strings. */
function rawVariables(options: Record<string, string | boolean | undefined>, io: Io): RawVariables {
  const raw: RawVariables = {};
  for (const variable of VARIABLES) {
    const flag = options[camel(variable.flag)];
    const value = flag === true ? 'true' : typeof flag === 'string' ? flag : io.env[variable.name];
    if (value !== undefined) raw[variable.name] = value;
  }
  return raw;
}
