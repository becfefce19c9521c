import { GateError } from '../errors.ts';
import { parseTopic } from '../transport/topic.ts';

/** One topic permission: the role, the topic, and the actions Pulsar grants it there. */
export interface Grant {
  readonly role: string;
  readonly topic: string;
  readonly actions: readonly ('produce' | 'consume')[];
  /** Why, in the words of README "Configure your Pulsar cluster". */
  readonly why: string;
}

/** What a new repository needs on the broker: the topics to create, then the grants. */
export interface Onboarding {
  readonly repository: string;
  readonly topics: readonly string[];
  readonly grants: readonly Grant[];
}

const UUID = /^\{?([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\}?$/i;

/**
 * A repository UUID as Pulsar sees the role of its steps: the `repositoryUuid` claim
 * (openIDRoleClaim), braces included, lower case as Bitbucket writes it.
 */
export function repositoryRole(input: string): string {
  const match = UUID.exec(input.trim());
  if (match?.[1] === undefined)
    throw new GateError('CONFIG_INVALID', `"${input}" is not a repository UUID ({xxxxxxxx-xxxx-…})`);
  return `{${match[1].toLowerCase()}}`;
}

/**
 * The grants of one repository (issue 17 §2), per topic and per role, nothing namespace-wide:
 * its steps may publish requests and read their replies (and the key sets); the decision
 * service alone reads the requests and publishes decisions and dead letters. Nobody else gets
 * anything, so a pipeline's token can never publish a decision.
 */
export function onboardingOf(input: {
  readonly repository: string;
  readonly requestTopic: string;
  readonly replyTopic: string;
  readonly deadLetterTopic: string;
  readonly keysTopic: string | undefined;
  readonly serviceRole: string;
}): Onboarding {
  const role = repositoryRole(input.repository);
  const [request, reply, dlq] = [input.requestTopic, input.replyTopic, input.deadLetterTopic].map(
    (t) => parseTopic(t).full,
  );
  if (request === undefined || reply === undefined || dlq === undefined) throw new Error('unreachable');
  const grants: Grant[] = [
    { role, topic: request, actions: ['produce'], why: "the repository's steps publish requests" },
    { role, topic: reply, actions: ['consume'], why: 'and read their decisions' },
  ];
  if (input.keysTopic !== undefined)
    grants.push({
      role,
      topic: parseTopic(input.keysTopic).full,
      actions: ['consume'],
      why: 'and follow the rotated key sets',
    });
  const service = input.serviceRole;
  grants.push(
    { role: service, topic: request, actions: ['consume'], why: 'the decision service reads the requests' },
    { role: service, topic: reply, actions: ['produce'], why: 'and alone publishes decisions' },
    { role: service, topic: dlq, actions: ['produce'], why: 'and dead letters' },
  );
  return { repository: role, topics: [request, reply, dlq], grants };
}
