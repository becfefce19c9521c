// The service image's `serve` over pulsar://, the transport the docs recommend for it: the
// native client it carries (the prebuilt binary, or this machine's build with its
// libpulsar.so; scripts/image/native-runtime.sh) talks Pulsar's binary protocol to the real
// broker's serviceUrl, run as an operator runs the image (read-only root filesystem, the node
// user), and answers a real pipe that speaks the WebSocket API to the same broker.
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type PipeFixture, pipeFixture } from '../support/pipe-fixture.ts';
import { expectSampleVerdicts } from '../support/served-verdicts.ts';
import { topicName } from '../transport/contract.ts';
import { describeWithImage } from './pipe-image.ts';
import type { RunningService } from './service-container.ts';
import { nativeClientOf, type ServiceOperator, serviceOperator } from './service-operator.ts';

/** Skips (with the reason printed), or fails in CI, only when the build found no native client. */
async function carriesNativeClient(image: string): Promise<string | undefined> {
  const native = await nativeClientOf(image);
  return native === 'none'
    ? `${image} was built without the native Pulsar client (no prebuilt binary could be downloaded and scripts/native-client.sh has built none on this machine)`
    : undefined;
}

await describeWithImage(
  'the service image over pulsar:// (the native client)',
  (image) => {
    let fixture: PipeFixture;
    let operator: ServiceOperator;
    let service: RunningService;
    const topic = topicName('service-image-native');

    beforeAll(async () => {
      fixture = await pipeFixture();
      expect(fixture.broker.serviceUrl).toMatch(/^pulsar:\/\//);
      operator = await serviceOperator(fixture);
      service = await operator.start(image, fixture.broker.serviceUrl, topic);
    }, 180_000);
    afterAll(async () => {
      await service?.stop();
      await fixture?.close();
      await operator?.close();
    });

    it('answers a real pipe over pulsar://: a staging step allowed, a feature branch denied production', async () => {
      await expectSampleVerdicts(fixture, topic, join(operator.keysDir, 'decision-keys.json'));
      const logs = await service.logs();
      expect(logs).toMatch(/serving .*service-image-native/);
      // Neither the install hint (the addon did not load) nor a token in what it printed.
      expect(logs).not.toMatch(/native client|npm install pulsar-client/);
      expect(logs).not.toMatch(/eyJ[\w-]+\.eyJ/);
    });

    it('counts the decisions it made over pulsar:// in /metrics', async () => {
      const metrics = await (await fetch(`http://127.0.0.1:${service.port}/metrics`)).text();
      expect(metrics).toMatch(/pulsar_gate_decisions_total\{verdict="allow"\} [1-9]/);
      expect(metrics).toMatch(/pulsar_gate_decisions_total\{verdict="deny"\} [1-9]/);
    });
  },
  'service',
  carriesNativeClient,
);
