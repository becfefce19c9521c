// Gate mode through the real processes (issue 14): the pipe bundle's source entrypoint, the
// real broker, `serve` as the gate's OIDC issuer, and an STS peer that fetches the issuer's
// keys from serve's HTTP port. Written as the attacker tries: skip the pipe, read the reply
// topic, replay a decision to another run.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AssumeRoleWithWebIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openGateToken } from '../../src/gate/open-gate-token.ts';
import { generateRunEncryptionKey } from '../../src/jose/run-encryption-key.ts';
import { type GateService, PRODUCTION_ROLE, startGateService } from '../support/gate-service.ts';
import { type PipeFixture, pipeFixture } from '../support/pipe-fixture.ts';
import { topicName } from '../transport/contract.ts';
import { replyDecisions } from './reply-topic.ts';

let fixture: PipeFixture;
let gate: GateService;
beforeAll(async () => {
  fixture = await pipeFixture();
  gate = await startGateService(fixture);
}, 180_000);
afterAll(async () => {
  await gate?.close();
  await fixture?.close();
});

/** A JWT (a step token, a gate token) anywhere in a text: none may ever be printed or written. */
const JWT = /eyJ[\w-]{8,}\.eyJ[\w-]{8,}\.[\w-]{16,}/;
const sts = () => new STSClient({ region: 'eu-west-1', endpoint: gate.sts.endpoint, maxAttempts: 1 });

describe('CREDENTIALS: gate', () => {
  it('a step that skips the pipe and presents its own Bitbucket token to a gate-trusting role: AccessDenied', async () => {
    const stepToken = await fixture.world.issuer.mint({ environment: 'production' });
    const call = sts().send(
      new AssumeRoleWithWebIdentityCommand({
        RoleArn: PRODUCTION_ROLE,
        RoleSessionName: 'skipped-the-pipe',
        WebIdentityToken: stepToken,
      }),
    );
    await expect(call).rejects.toMatchObject({ name: 'AccessDenied' });
    expect(gate.sts.issued).toHaveLength(0);
  });

  it('allow: no STS call before the decision; the gate token, exchanged after it, gives credentials for the gate sub', async () => {
    const before = gate.sts.calls.length;
    // DEBUG on: the most the step log ever says, and still no token.
    const run = await fixture.run(undefined, {
      topic: gate.topic,
      variables: { ...gate.variables(), DEBUG: 'true' },
    });
    expect(run.output).toContain('✔ Allowed by policy prod-deploy');
    expect(run.code).toBe(0);
    const calls = gate.sts.calls.slice(before);
    expect(calls).toHaveLength(1);
    const decision = JSON.parse(await readFile(join(run.cloneDir, '.pulsar-gate', 'decision.json'), 'utf8'));
    expect(calls[0]).toMatchObject({
      outcome: 'ok',
      roleArn: PRODUCTION_ROLE,
      audience: 'sts.amazonaws.com',
      subject: `repo:${fixture.world.issuer.repositoryUuid.replace(/[{}]/g, '')}:env:production`,
    });
    expect(calls[0]?.at.getTime()).toBeGreaterThanOrEqual(Date.parse(decision.issuedAt) - 1);
    // The session carries the verified repository, environment and action as session tags
    // (what IAM policies read as aws:PrincipalTag/…), and the trust policy's RequestTag
    // conditions held (deploy/aws/gate-deploy-role.yaml).
    const repository = fixture.world.issuer.repositoryUuid.replace(/[{}]/g, '');
    expect(gate.sts.sessions.at(-1)).toMatchObject({
      roleArn: PRODUCTION_ROLE,
      tags: { repository, environment: 'production', action: 'deploy' },
      transitiveTagKeys: expect.arrayContaining(['repository', 'environment', 'action']),
    });
    const env = await readFile(join(run.cloneDir, '.pulsar-gate', 'aws.env'), 'utf8');
    expect(env).toContain(`export AWS_ACCESS_KEY_ID='${gate.sts.issued.at(-1)?.accessKeyId}'`);
    // Exchanged, the gate token is nowhere: not in decision.json, the log or outcome.json.
    expect(decision).not.toHaveProperty('gateTokenJwe');
    const outcome = JSON.parse(await readFile(join(run.cloneDir, '.pulsar-gate', 'outcome.json'), 'utf8'));
    expect(outcome).toMatchObject({ verdict: 'allow', mode: 'gate', decisionId: decision.decisionId });
    expect(run.output).not.toMatch(JWT);
  });

  it('the bundled pipe (what the image runs) is allowed in gate mode too', async () => {
    const run = await fixture.run(undefined, {
      topic: gate.topic,
      variables: gate.variables(),
      entry: 'bundle',
    });
    expect(run.output).toContain('with the gate token (repo:');
    expect(run.code).toBe(0);
  });

  it('deny: no gate token exists — not on the reply topic, in the step log or in a file — and STS is never called', async () => {
    const before = gate.sts.calls.length;
    const run = await fixture.run(undefined, {
      topic: gate.topic,
      token: await fixture.world.issuer.mint({ branchName: 'feature/login' }),
      variables: gate.variables(),
    });
    expect(run.output).toMatch(/✖ Denied: .*— failed at: /);
    expect(run.code).toBe(1);
    expect(gate.sts.calls.length).toBe(before);
    const dir = join(run.cloneDir, '.pulsar-gate');
    expect(await readdir(dir)).toEqual(['outcome.json']);
    const outcome = await readFile(join(dir, 'outcome.json'), 'utf8');
    expect(JSON.parse(outcome)).toMatchObject({ verdict: 'deny', mode: 'gate' });
    expect(outcome).not.toMatch(JWT);
    expect(run.output).not.toMatch(JWT);
    const replies = await replyDecisions(fixture, `${gate.topic}-replies`);
    const denies = replies.filter((d) => d.verdict === 'deny');
    expect(denies.length).toBeGreaterThan(0);
    for (const decision of replies.filter((d) => d.verdict !== 'allow'))
      expect(decision).not.toHaveProperty('gateTokenJwe');
  });

  it('a gate token captured from the reply topic is useless: no other key opens it, and STS takes no JWE', async () => {
    const allow = (await replyDecisions(fixture, `${gate.topic}-replies`)).find((d) => d.gateTokenJwe);
    if (allow?.gateTokenJwe === undefined) throw new Error('the allow above left no gate token on the topic');
    const thief = await generateRunEncryptionKey();
    await expect(openGateToken(allow, thief.privateKey, Date.now())).rejects.toMatchObject({
      code: 'GATE_TOKEN_INVALID',
    });
    const call = sts().send(
      new AssumeRoleWithWebIdentityCommand({
        RoleArn: PRODUCTION_ROLE,
        RoleSessionName: 'stolen-jwe',
        WebIdentityToken: allow.gateTokenJwe,
      }),
    );
    await expect(call).rejects.toMatchObject({ name: 'InvalidIdentityTokenException' });
  });

  it('a decision replayed to another run, even signed for it, cannot be decrypted: that run fails, nothing written', async () => {
    const stolen = (await replyDecisions(fixture, `${gate.topic}-replies`)).find((d) => d.gateTokenJwe);
    if (stolen?.decisionId === undefined || stolen.gateTokenJwe === undefined)
      throw new Error('no allow to replay');
    const { decisionId, gateTokenJwe } = stolen;
    // The strongest replay: the service's own key signs an allow bound to the new run that
    // carries the earlier run's gate token (a compromised signer, or a bug).
    const serviceKey = JSON.parse(await readFile(join(gate.keysDir, 'service-key.json'), 'utf8'));
    const before = gate.sts.calls.length;
    const { TOPIC: _served, ...variables } = gate.variables();
    const run = await fixture.run(
      async (_request, reply) => {
        await reply.publish(await reply.sign(reply.decision('allow', { decisionId, gateTokenJwe })));
      },
      { topic: topicName('replayed'), serviceKey, variables },
    );
    expect(run.output).toMatch(
      /✖ Failed: the gate token JWE .*does not decrypt|is not encrypted to this run/,
    );
    expect(run.output).toContain('failed at: gate token');
    expect(run.code).toBe(1);
    expect(gate.sts.calls.length).toBe(before);
    expect(await readdir(join(run.cloneDir, '.pulsar-gate'))).toEqual(['outcome.json']);
  });
});
