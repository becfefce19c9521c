// The demo's last step: what a step that deletes the pipe line would do — present its own
// Bitbucket OIDC token to STS for the deploy role (Atlassian's own OIDC example). The role
// trusts only the gate issuer, so STS refuses: skipping the pipe gains nothing (issue 14).
import { AssumeRoleWithWebIdentityCommand, STSClient } from '@aws-sdk/client-sts';

export async function skipThePipe(options: {
  stsEndpoint: string;
  roleArn: string;
  stepToken: string;
  say: (line: string) => void;
}): Promise<boolean> {
  const { say } = options;
  say('\n── step "Deploy to production, without the pipe" (deployment: production) on branch main ──');
  say('+ aws sts assume-role-with-web-identity --web-identity-token "$BITBUCKET_STEP_OIDC_TOKEN" …');
  const client = new STSClient({ region: 'us-east-1', endpoint: options.stsEndpoint, maxAttempts: 1 });
  try {
    await client.send(
      new AssumeRoleWithWebIdentityCommand({
        RoleArn: options.roleArn,
        RoleSessionName: 'skipped-the-pipe',
        WebIdentityToken: options.stepToken,
      }),
    );
    say('  credentials issued: the role still trusts Bitbucket directly — the gate is advisory');
    return false;
  } catch (error) {
    say(`  ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
    say('  (the role trusts only the decision service: no allow, no gate token, no credentials)');
    return true;
  } finally {
    client.destroy();
  }
}
