// TOPICS patterns take the topics of a namespace as the admin API lists them (issue 17 §2), never
// one the service uses for something else: a pattern as wide as `.*` in the namespace of the
// decisions and approvals topics must not make the service consume its own records as requests.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requestTopics } from '../../../cli/service/serve-topics.ts';
import { readServe, SERVE_REQUIRED } from './serve-env.ts';

const NS = 'persistent://platform/gates';
const LISTED = [
  `${NS}/production`,
  `${NS}/production-replies`,
  `${NS}/production-dlq`,
  `${NS}/staging`,
  `${NS}/staging-replies`,
  `${NS}/pulsar-gate-decisions`,
  `${NS}/pulsar-gate-decisions-approvals`,
  `${NS}/decision-keys`,
  `${NS}/audit`,
  `${NS}/bitbucket-pullrequest`,
];

let url = '';
const server = createServer((request, response) => {
  const answer = request.url === '/admin/v2/persistent/platform/gates' ? LISTED : [];
  response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
});
beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('TOPICS as a namespace pattern', () => {
  it('takes the request topics and none of the reply, dead-letter, decisions, approvals, keys or audit topics', async () => {
    const config = readServe({
      ...SERVE_REQUIRED,
      PULSAR_URL: url,
      TOPICS: `${NS}/.*`,
      ENVIRONMENT_MAP: 'environments.json',
      DECISIONS_TOPIC: `${NS}/pulsar-gate-decisions`,
      KEYS_TOPIC: `${NS}/decision-keys`,
      AUDIT_TOPIC: `${NS}/audit`,
      STATE_DIR: '/var/lib/pulsar-gate',
      APPROVER_ISSUER: 'https://idp.example',
      APPROVER_CLIENT_ID: 'pulsar-gate-approvals',
    });
    expect(config.approvals?.topic).toBe(`${NS}/pulsar-gate-decisions-approvals`);
    const resolve = requestTopics(config, undefined);
    expect([...(await resolve(config.topics))].sort()).toEqual([
      `${NS}/bitbucket-pullrequest`,
      `${NS}/production`,
      `${NS}/staging`,
    ]);
  });

  it('nor the pull request events it follows for code review (REVIEW_EVENTS_TOPIC)', async () => {
    const config = readServe({
      ...SERVE_REQUIRED,
      PULSAR_URL: url,
      TOPICS: `${NS}/.*`,
      BITBUCKET_TOKEN: 'a-read-only-token',
      BITBUCKET_REVIEW: 'true',
      REVIEW_EVENTS_TOPIC: `${NS}/bitbucket-pullrequest`,
    });
    const resolve = requestTopics(config, undefined);
    expect(await resolve(config.topics)).not.toContain(`${NS}/bitbucket-pullrequest`);
    expect(await resolve(config.topics)).toContain(`${NS}/production`);
  });
});
