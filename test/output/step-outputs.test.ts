// The step's region is not overwritten (issue 14): aws.env and the credentials file name a
// region only when the step asked for one with AWS_REGION.
import { describe, expect, it } from 'vitest';
import { awsEnvFile, sharedCredentialsFile } from '../../src/output/step-outputs.ts';

const credentials = {
  accessKeyId: 'ASIAEXAMPLE',
  secretAccessKey: 'secret',
  sessionToken: 'session',
  expiration: new Date('2030-05-01T12:15:00Z'),
  assumedRoleArn: 'arn:aws:sts::123456789012:assumed-role/r/s',
  // Where STS was called (us-east-1 when the step named no region): never exported for that.
  region: 'us-east-1',
};

describe('region in the step outputs', () => {
  it('exports no region the step did not ask for, so its own AWS_DEFAULT_REGION stays', () => {
    expect(awsEnvFile(credentials)).not.toMatch(/REGION=/);
    expect(sharedCredentialsFile(credentials, 'pulsar-gate')).not.toMatch(/region/);
  });

  it('exports AWS_REGION and AWS_DEFAULT_REGION when AWS_REGION was set', () => {
    const env = awsEnvFile(credentials, 'eu-west-1');
    expect(env).toContain("export AWS_REGION='eu-west-1'");
    expect(env).toContain("export AWS_DEFAULT_REGION='eu-west-1'");
    expect(sharedCredentialsFile(credentials, 'p', 'eu-west-1')).toContain('region = eu-west-1');
  });
});
