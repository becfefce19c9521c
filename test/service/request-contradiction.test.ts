// A request must describe the pipeline its verified token proves: an attacker holding one
// step's token tries to ask for another repository, step or deployment environment.
import { describe, expect, it } from 'vitest';
import type { VerifiedStep } from '../../src/decision/decision-facts.ts';
import { contradiction } from '../../src/service/request-contradiction.ts';
import { requestData, requestEvent } from '../events/fixtures.ts';

const pipeline = requestData().pipeline;
const ENVIRONMENT_UUID = '{33333333-3333-4333-8333-333333333333}';
const CLAIMS: VerifiedStep = {
  iss: 'https://issuer.example',
  sub: '{repo}:{env}:{step}',
  workspaceUuid: '{11111111-1111-4111-8111-111111111111}',
  repositoryUuid: pipeline.repositoryUuid ?? '',
  stepUuid: pipeline.stepUuid ?? '',
  deploymentEnvironmentUuid: ENVIRONMENT_UUID,
};

describe('contradiction: the request against its verified token', () => {
  it('none when the request names what the token proves', () => {
    const event = requestEvent((d) => {
      d.pipeline.deploymentEnvironmentUuid = ENVIRONMENT_UUID;
    });
    expect(contradiction(event, CLAIMS)).toBeUndefined();
  });

  it('none when the request leaves the uuids out: the token decides', () => {
    const event = requestEvent((d) => {
      delete d.pipeline.repositoryUuid;
      delete d.pipeline.stepUuid;
    });
    expect(contradiction(event, CLAIMS)).toBeUndefined();
  });

  it('another repository, step or deployment environment than the token is named, each on its own', () => {
    const other = '{99999999-9999-4999-8999-999999999999}';
    const repository = requestEvent((d) => {
      d.pipeline.repositoryUuid = other;
    });
    const step = requestEvent((d) => {
      d.pipeline.stepUuid = other;
    });
    const environment = requestEvent((d) => {
      d.pipeline.deploymentEnvironmentUuid = other;
    });
    expect(contradiction(repository, CLAIMS)).toBe('the request names another repository than its token');
    expect(contradiction(step, CLAIMS)).toBe('the request names another step than its token');
    expect(contradiction(environment, CLAIMS)).toBe(
      'the request names another deployment environment than its token',
    );
  });

  it('a token without a deployment environment contradicts a request that names one', () => {
    const { deploymentEnvironmentUuid: _none, ...withoutEnvironment } = CLAIMS;
    const event = requestEvent((d) => {
      d.pipeline.deploymentEnvironmentUuid = ENVIRONMENT_UUID;
    });
    expect(contradiction(event, withoutEnvironment)).toMatch(/another deployment environment/);
  });
});
