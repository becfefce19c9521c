// Repositories, users and commits of the webhook tests.
import { randomUUID } from 'node:crypto';
import type { RepositoryFixture, UserFixture } from '../peers/bitbucket/webhook-payloads.ts';

export const repo = (slug: string): RepositoryFixture => ({
  uuid: `{${randomUUID()}}`,
  workspace: 'acme',
  slug,
});

export const ALICE: UserFixture = {
  uuid: '{77aa88bb-99cc-4ddd-8eee-ff0011223344}',
  accountId: '712020:1c2d3e4f-aaaa-4bbb-8ccc-0d1e2f3a4b5c',
  displayName: 'Alice Author',
};
export const BOB: UserFixture = {
  uuid: '{88bb99cc-aadd-4eee-8fff-001122334455}',
  accountId: '712020:2d3e4f50-bbbb-4ccc-8ddd-1e2f3a4b5c6d',
  displayName: 'Bob Reviewer',
};

/** A 40-hex commit hash made from a number. */
export const hash = (n: number): string => n.toString(16).padStart(40, 'a');
