// A gate-mode request made in-process, as the pipe makes it, to a `serve` process: the test
// holds the run's private key, so it can open the gate token the allow carries and do with
// it what an attacker holding it could (present it late, for another role).
import { randomUUID } from 'node:crypto';
import { isGateError } from '../../src/errors.ts';
import type { Decision } from '../../src/events/decision.ts';
import { openGateToken } from '../../src/gate/open-gate-token.ts';
import { generateRunEncryptionKey } from '../../src/jose/run-encryption-key.ts';
import { currentEncryptionKey } from '../../src/keys/trusted-encryption-keys.ts';
import { parseTrustedKeys } from '../../src/keys/trusted-keys.ts';
import type { MintOptions } from '../peers/oidc/issuer.ts';
import type { GateService } from '../support/gate-service.ts';
import type { PipeFixture } from '../support/pipe-fixture.ts';
import { signedRequest } from '../support/requester.ts';

export async function askGate(
  fixture: PipeFixture,
  gate: GateService,
  options: { environment?: string; mint?: MintOptions } = {},
): Promise<{ decision: Decision; token: string | undefined }> {
  const replyTopic = `${gate.topic}-replies`;
  const runKey = await generateRunEncryptionKey();
  const sealTo = currentEncryptionKey(await parseTrustedKeys(JSON.parse(gate.decisionKeys), 'test'));
  const attachment = await fixture.transport.attach(replyTopic);
  try {
    const { event, signed } = await signedRequest(fixture.world.issuer, {
      replyTopic,
      sealTo,
      replyEncryptionKey: runKey.publicJwk,
      ...(options.environment ? { environment: options.environment } : {}),
      ...(options.mint ? { mint: options.mint } : {}),
    });
    const producer = await fixture.transport.publisher(gate.topic);
    await producer.publish({
      payload: signed.jws,
      key: event.data.pipeline.stepUuid ?? randomUUID(),
      properties: { correlationId: event.id },
    });
    await producer.close();
    const deadline = Date.now() + 20_000;
    for (;;) {
      const message = await attachment.receive(deadline).catch((error: unknown) => {
        if (isGateError(error, 'PULSAR_TIMEOUT'))
          throw new Error(`no decision; serve said:\n${gate.serve.output()}`);
        throw error;
      });
      if (message.properties.correlationId !== event.id) continue;
      const payload = message.payload.toString('utf8').split('.')[1] ?? '';
      const decision = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Decision;
      if (decision.verdict !== 'allow') return { decision, token: undefined };
      return { decision, token: (await openGateToken(decision, runKey.privateKey, Date.now())).token };
    }
  } finally {
    await attachment.close();
  }
}
