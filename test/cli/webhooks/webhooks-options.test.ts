import { describe, expect, it } from 'vitest';
import { webhooksCommand } from '../../../cli/webhooks/webhooks-command.ts';

async function run(env: Record<string, string>) {
  const out: string[] = [];
  const code = await webhooksCommand(
    {},
    { write: (t) => void out.push(t), env, cwd: process.cwd() },
    process,
  );
  return { code, output: out.join('') };
}

describe('pulsar-gate-service webhooks options', () => {
  it('reports every problem at once (exit 2), bad topic rules among them, and never echoes the secret', async () => {
    const { code, output } = await run({
      WEBHOOK_SECRET: 'do-not-print-me',
      WEBHOOK_TOPICS: 'push=x,repo:push=non-persistent://a/b/c',
      WEBHOOK_MAX_BODY: '10000000',
      WEBHOOK_NAMESPACE: 'just-a-tenant',
    });
    expect(code).toBe(2);
    for (const name of ['PULSAR_URL', 'WEBHOOK_TOPICS', 'WEBHOOK_MAX_BODY', 'WEBHOOK_NAMESPACE'])
      expect(output).toContain(`✖ webhooks: ${name}:`);
    expect(output).toContain('needs an event key (repo:push) or a family (pullrequest:*) before =');
    expect(output).toContain('webhooks --help');
    expect(output).not.toContain('do-not-print-me');
  });

  it('refuses a non-persistent topic: nothing would be stored', async () => {
    const { code, output } = await run({
      PULSAR_URL: 'ws://127.0.0.1:1',
      WEBHOOK_SECRET: 's',
      WEBHOOK_TOPICS: 'repo:*=non-persistent://a/b/c',
    });
    expect(code).toBe(2);
    expect(output).toContain('names a non-persistent topic');
  });
});
