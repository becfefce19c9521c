import { applyOnboarding } from '../../../src/onboard/apply.ts';
import { pulsarAdminCommands, restCalls } from '../../../src/onboard/commands.ts';
import { onboardingOf } from '../../../src/onboard/grants.ts';
import { parseTopic } from '../../../src/transport/topic.ts';
import type { Io } from '../../io.ts';
import { mustRead } from '../../options/read.ts';
import type { OptionSource } from '../../options/spec.ts';
import { endThroughTable } from '../../outcome/end.ts';
import { EXIT } from '../../outcome/exit.ts';
import { ONBOARD_OPTIONS, ONBOARD_RULES } from './onboard-options.ts';

/**
 * `onboard`: the broker grants a new repository needs (README "Configure your Pulsar
 * cluster"), printed as pulsar-admin commands and admin REST calls, or made with --apply.
 * Either way it ends with what the broker and `serve` need besides: the workspace's issuer
 * and the request topic in TOPICS.
 */
export async function onboardCommand(flags: OptionSource['flags'], io: Io): Promise<number> {
  return endThroughTable('onboard', 'onboard', io.write, async () => {
    const o = mustRead(ONBOARD_OPTIONS, { flags, env: io.env }, ONBOARD_RULES, 'onboard options');
    const request = parseTopic(o.topic).full;
    const plan = onboardingOf({
      repository: o.repository,
      requestTopic: request,
      replyTopic: o.replyTopic ?? `${request}-replies`,
      deadLetterTopic: `${request}${o.deadLetterSuffix}`,
      keysTopic: o.keysTopic,
      serviceRole: o.serviceRole,
    });
    const write = (line: string) => io.write(`${line}\n`);
    write(`# Onboarding repository ${plan.repository} of workspace ${o.workspace}: request topic ${request}`);
    if (o.apply && o.adminUrl !== undefined && o.adminToken !== undefined) {
      await applyOnboarding(plan, o.adminUrl, o.adminToken, (line) => write(`✔ ${line}`));
    } else {
      write('# pulsar-admin:');
      for (const line of pulsarAdminCommands(plan)) write(line);
      write('# or the admin REST API (ADMIN_TOKEN: a superuser or tenant-admin token):');
      for (const line of restCalls(plan, o.adminUrl ?? 'https://pulsar.example.com:8443')) write(line);
    }
    write(
      `# The broker must trust the workspace's issuer: openIDAllowedTokenIssuers includes https://api.bitbucket.org/2.0/workspaces/${o.workspace}/pipelines-config/identity/oidc`,
    );
    write(`# serve must consume ${request}: add it to TOPICS (or match it with a pattern) and send SIGHUP`);
    return EXIT.allowed;
  });
}
