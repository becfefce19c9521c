import { expect } from 'vitest';
import type { PipeFixture } from './pipe-fixture.ts';

/**
 * The two verdicts every deployment of `serve` must give the sample policies through a real
 * pipe: a staging deploy allowed (staging-any-branch), a feature branch denied production.
 */
export async function expectSampleVerdicts(
  fixture: PipeFixture,
  topic: string,
  decisionKeys: string,
): Promise<void> {
  const variables = { TOPIC: topic, DECISION_KEYS: decisionKeys };
  const staging = await fixture.run(undefined, {
    topic,
    variables: { ...variables, ENVIRONMENT: 'staging' },
  });
  expect(staging.output).toContain('✔ Allowed by policy staging-any-branch');
  expect(staging.code).toBe(0);
  const production = await fixture.run(undefined, {
    topic,
    token: await fixture.world.issuer.mint({ branchName: 'feature/login' }),
    variables,
  });
  expect(production.output).toMatch(/✖ Denied: .*— failed at: /);
  expect(production.code).toBe(1);
}
