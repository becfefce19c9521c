// The WebSocket API's URLs: a subscription name is a path segment, so one that could change
// the path or the query is refused before any URL is made of it.
import { describe, expect, it } from 'vitest';
import { GateError } from '../../src/errors.ts';
import { apiUrl, consumerQuery } from '../../src/transport/websocket/api-url.ts';

describe('consumerQuery', () => {
  it.each([
    ['a path', '../admin'],
    ['a query', 'service?subscriptionType=Exclusive'],
    ['an encoded slash', 'a%2Fb'],
    ['a space', 'my service'],
    ['nothing', ''],
    ['201 characters', 'a'.repeat(201)],
  ])('refuses %s as a subscription name (CONFIG_INVALID)', (_what, name) => {
    expect(() => consumerQuery(name, {})).toThrow(GateError);
    expect(() => consumerQuery(name, {})).toThrow(/invalid subscription name/);
  });

  it('defaults: Shared, from the latest message, 100 queued', () => {
    expect(consumerQuery('service', {})).toEqual({
      subscriptionType: 'Shared',
      subscriptionInitialPosition: 'Latest',
      receiverQueueSize: '100',
    });
  });

  it('says what was asked, in the API parameters', () => {
    const query = consumerQuery('pulsar-gate_1.v2:x=y', {
      type: 'Key_Shared',
      initialPosition: 'Earliest',
      receiverQueueSize: 20,
      nackRedeliveryDelayMs: 1_000,
      consumerName: 'replica-a',
    });
    expect(query).toEqual({
      subscriptionType: 'Key_Shared',
      subscriptionInitialPosition: 'Earliest',
      receiverQueueSize: '20',
      negativeAckRedeliveryDelay: '1000',
      consumerName: 'replica-a',
    });
  });
});

describe('apiUrl', () => {
  it('keeps the base path of a proxy, with or without its trailing slash', () => {
    const query = { receiverQueueSize: '5' };
    const path = 'consumer/persistent/t/n/topic/sub';
    expect(apiUrl(new URL('wss://proxy.example/pulsar/'), path, query).href).toBe(
      'wss://proxy.example/pulsar/ws/v2/consumer/persistent/t/n/topic/sub?receiverQueueSize=5',
    );
    expect(apiUrl(new URL('wss://proxy.example/pulsar'), path, query).href).toBe(
      'wss://proxy.example/pulsar/ws/v2/consumer/persistent/t/n/topic/sub?receiverQueueSize=5',
    );
    expect(apiUrl(new URL('ws://127.0.0.1:8080'), 'producer/persistent/t/n/x', {}).href).toBe(
      'ws://127.0.0.1:8080/ws/v2/producer/persistent/t/n/x',
    );
  });
});
