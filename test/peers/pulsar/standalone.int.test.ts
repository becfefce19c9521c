// The run's broker is real, secured with tokens, and reachable on loopback only.
import { describe, expect, it } from 'vitest';
import { brokerAdmin, brokerControllable, brokerInfo, brokerPid } from '../../support/broker.ts';
import { listeningSockets } from './ports.ts';
import { groupMembers } from './process-group.ts';

describe('pulsar broker for tests', () => {
  it('answers the admin API and has public/default', async () => {
    const { adminUrl, adminToken } = brokerInfo();
    const res = await fetch(`${adminUrl}/admin/v2/namespaces/public`, {
      headers: adminToken === undefined ? {} : { authorization: `Bearer ${adminToken}` },
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toContain('public/default');
  });

  it('refuses unauthenticated admin requests', async (ctx) => {
    const { adminUrl, adminToken } = brokerInfo();
    if (adminToken === undefined) {
      console.warn('[skipped] auth refusal check: this external broker runs without authentication');
      ctx.skip();
    }
    const res = await fetch(`${adminUrl}/admin/v2/namespaces/public/default`);
    await res.body?.cancel();
    expect(res.status).toBe(401);
  });

  it('creates, inspects and deletes a topic through the admin client', async () => {
    const admin = brokerAdmin();
    const topic = `persistent://public/default/standalone-test-${Date.now()}`;
    await admin.createTopic(topic);
    await admin.createSubscription(topic, 'probe');
    expect(await admin.listSubscriptions(topic)).toEqual(['probe']);
    expect((await admin.getStats(topic)).subscriptions.probe?.msgBacklog).toBe(0);
    await admin.unsubscribe(topic, 'probe');
    await admin.deleteTopic(topic);
  });

  it('listens on 127.0.0.1 only', async (ctx) => {
    if (!brokerControllable() || process.platform !== 'linux') {
      console.warn(
        '[skipped] loopback-only ports check: the broker is not a process this run started on Linux',
      );
      ctx.skip();
    }
    const { webUrl, serviceUrl } = brokerInfo();
    const sockets = await listeningSockets(await groupMembers(await brokerPid()));
    const ports = sockets.map((s) => s.port);
    expect(ports).toContain(Number(new URL(webUrl).port));
    expect(ports).toContain(Number(new URL(serviceUrl).port));
    expect(sockets.filter((s) => s.address !== '127.0.0.1')).toEqual([]);
  });
});
