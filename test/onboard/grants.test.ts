// What `onboard` prints for a new repository: per role, per topic, nothing namespace-wide,
// and the role exactly as the broker sees a step of it (repositoryUuid, braces, lower case).
import { describe, expect, it } from 'vitest';
import { pulsarAdminCommands, restCalls } from '../../src/onboard/commands.ts';
import { onboardingOf, repositoryRole } from '../../src/onboard/grants.ts';

const T = 'persistent://platform/gates/payments-api';
const plan = onboardingOf({
  repository: '6F1A2B3C-4D5E-4F60-8A7B-9C0D1E2F3A4B',
  requestTopic: 'platform/gates/payments-api',
  replyTopic: `${T}-replies`,
  deadLetterTopic: `${T}-dlq`,
  keysTopic: 'platform/gates/decision-keys',
  serviceRole: 'pulsar-gate-service',
});
const REPO = '{6f1a2b3c-4d5e-4f60-8a7b-9c0d1e2f3a4b}';

describe('onboard', () => {
  it('takes the UUID with or without braces, in any case, and nothing else', () => {
    expect(repositoryRole('{6F1A2B3C-4D5E-4F60-8A7B-9C0D1E2F3A4B}')).toBe(REPO);
    for (const bad of [
      '6f1a2b3c',
      'acme/payments-api',
      `${REPO}x`,
      '{6f1a2b3c-4d5e-4f60-8a7b-9c0d1e2f3a4b'.replace('-', ''),
    ])
      expect(() => repositoryRole(bad)).toThrow(/not a repository UUID/);
  });

  it('grants the repository produce on requests and consume on replies and key sets; the service the rest', () => {
    expect(plan.grants.map((g) => `${g.role} ${g.actions.join(',')} ${g.topic}`)).toEqual([
      `${REPO} produce ${T}`,
      `${REPO} consume ${T}-replies`,
      `${REPO} consume persistent://platform/gates/decision-keys`,
      `pulsar-gate-service consume ${T}`,
      `pulsar-gate-service produce ${T}-replies`,
      `pulsar-gate-service produce ${T}-dlq`,
    ]);
    // The repository can never publish a decision or a dead letter.
    expect(
      plan.grants.filter((g) => g.role === REPO && g.actions.includes('produce')).map((g) => g.topic),
    ).toEqual([T]);
  });

  it('prints pulsar-admin commands and REST calls that quote the role and encode its braces', () => {
    expect(pulsarAdminCommands(plan)).toContain(
      `pulsar-admin topics grant-permission --role '${REPO}' --actions produce ${T}`,
    );
    const rest = restCalls(plan, 'https://pulsar.example.com/');
    expect(rest).toContain(
      `curl -fsS -X POST -H "Authorization: Bearer $ADMIN_TOKEN" -H 'Content-Type: application/json' -d '["produce"]' 'https://pulsar.example.com/admin/v2/persistent/platform/gates/payments-api/permissions/%7B6f1a2b3c-4d5e-4f60-8a7b-9c0d1e2f3a4b%7D'`,
    );
    expect(rest.filter((line) => line.includes('-X PUT'))).toHaveLength(3);
  });
});
