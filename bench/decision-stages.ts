// Where one decision's CPU goes, stage by stage, with no transport: each stage of
// decideRequest run alone over the same signed requests, then the whole decideRequest, with a
// bare ES256 verification (WebCrypto, key imported once) as the baseline in the same run.
// CPU is the process's (process.cpuUsage: every thread, so WebCrypto's jobs on libuv's pool
// count). The Bitbucket peer answers in this process, so "facts" counts both sides of its
// HTTP exchange; every request is a new pipeline run, so nothing is served from the cache.
//   BENCH_REQUESTS (300) BENCH_ROUNDS (3)
import type { BitbucketFacts, StepFacts } from '../src/bitbucket/facts.ts';
import { type DeclaredStep, resolveStepFacts } from '../src/bitbucket/step-facts.ts';
import type { VerifiedStep } from '../src/decision/decision-facts.ts';
import { verifyRequest } from '../src/events/request-verifying.ts';
import { openStepToken } from '../src/events/token-seal.ts';
import { createStepTokenVerifier } from '../src/identity/verify-step-token.ts';
import { importDecryptionKeys } from '../src/keys/decryption-keys.ts';
import { generateServiceKey } from '../src/keys/service-keys.ts';
import { currentEncryptionKey } from '../src/keys/trusted-encryption-keys.ts';
import { parseTrustedKeys } from '../src/keys/trusted-keys.ts';
import { loadPolicySet } from '../src/policy/load-policy-set.ts';
import { decideRequest } from '../src/service/decide-request.ts';
import { tokenKeys } from '../src/service/token-keys.ts';
import { systemClock } from '../src/time.ts';
import { startIssuer } from '../test/peers/oidc/issuer.ts';
import { siteFacts } from '../test/support/bitbucket.ts';
import { signedRequest } from '../test/support/requester.ts';
import { deciderPorts } from './decision-stages-ports.ts';
import { median } from './stats.ts';

const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 300);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const REPLY_TOPIC = 'persistent://public/default/bench-stages-replies';

const issuer = await startIssuer();
const { privateJwk, encryptionJwk, publicJwks } = await generateServiceKey();
const sealTo = currentEncryptionKey(await parseTrustedKeys(publicJwks, 'bench'));
const keyring = await importDecryptionKeys({ keys: [encryptionJwk] }, 'bench keyring');
const lookup = tokenKeys(keyring, { clock: systemClock, reload: async () => keyring, log: () => {} }).lookup;
const verifier = createStepTokenVerifier({
  issuers: [issuer.url],
  audiences: [issuer.audience],
  allowInsecureIssuer: true,
});
const facts: { facts: BitbucketFacts; openEnvironments: string[] } = {
  facts: await siteFacts(),
  openEnvironments: [],
};
const engine = await loadPolicySet(new URL('../examples/policies', import.meta.url).pathname);
const ports = await deciderPorts({ privateJwk, lookup, verifier, facts, engine });

/** One batch of requests as the pipe signs them, each its own step and pipeline run. */
async function batch() {
  const out = [];
  for (let i = 0; i < REQUESTS; i++) {
    const { event, signed } = await signedRequest(issuer, {
      sealTo,
      replyTopic: REPLY_TOPIC,
      mint: { branchName: 'main' },
      environment: 'staging',
    });
    out.push({ event, jws: signed.jws });
  }
  return out;
}
type Item = Awaited<ReturnType<typeof batch>>[number] & {
  token?: string;
  claims?: VerifiedStep;
  facts?: StepFacts;
};

/** CPU ms per item of `stage` over the batch, one at a time. */
async function cpuPer(items: Item[], stage: (item: Item) => Promise<unknown>): Promise<number> {
  const before = process.cpuUsage();
  for (const item of items) await stage(item);
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000 / items.length;
}

const declared = (item: Item): DeclaredStep => ({
  environment: item.event.data.environment,
  ...(item.event.data.pipeline.branch ? { branch: item.event.data.pipeline.branch } : {}),
  ...(item.event.data.pipeline.commit ? { commit: item.event.data.pipeline.commit } : {}),
});
const baselineKey = await crypto.subtle.importKey(
  'jwk',
  { ...publicJwks.keys.find((k) => k.use === 'sig'), key_ops: ['verify'] },
  { name: 'ECDSA', namedCurve: 'P-256' },
  false,
  ['verify'],
);
const sample = new TextEncoder().encode('x'.repeat(1500));
const baselineSignature = await crypto.subtle.sign(
  { name: 'ECDSA', hash: 'SHA-256' },
  await crypto.subtle.importKey('jwk', privateJwk, { name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign']),
  sample,
);

const figures = new Map<string, number[]>();
const record = (name: string, ms: number) => figures.set(name, [...(figures.get(name) ?? []), ms]);
for (let round = -1; round < ROUNDS; round++) {
  const items: Item[] = await batch();
  const stages: Array<[string, (item: Item) => Promise<unknown>]> = [
    [
      'baseline: one ES256 verification',
      () => crypto.subtle.verify({ name: 'ECDSA', hash: 'SHA-256' }, baselineKey, baselineSignature, sample),
    ],
    ['verify the request (JWS, key from its header)', (item) => verifyRequest(item.jws)],
    [
      'open the sealed step token (JWE, ECDH-ES)',
      async (item) => {
        const opened = await openStepToken(item.event.data.identityTokenJwe, lookup);
        if (opened.ok) item.token = opened.token;
      },
    ],
    [
      'verify the step OIDC token',
      async (item) => {
        const verified = await verifier.verify(item.token ?? '');
        if (verified.ok) item.claims = verified.claims;
      },
    ],
    [
      'facts at Bitbucket (HTTP, both sides)',
      async (item) => {
        if (!item.claims) return;
        const established = await resolveStepFacts(item.claims, declared(item), facts);
        if (established.ok) item.facts = established.facts;
      },
    ],
    [
      'the policy (Cedar)',
      async (item) => {
        if (!item.claims || !item.facts) return;
        const { identityTokenJwe: _token, replyEncryptionKey: _key, ...request } = item.event.data;
        engine.decide({ claims: item.claims, facts: item.facts, request, now: new Date() });
      },
    ],
  ];
  for (const [name, stage] of stages) {
    const ms = await cpuPer(items, stage);
    if (round >= 0) record(name, ms);
  }
  // The whole decision again, on a fresh batch (the facts cache would serve this one).
  const whole = await cpuPer(await batch(), (item) =>
    decideRequest(Buffer.from(item.jws), ports, {
      replyTopic: REPLY_TOPIC,
      messageKey: item.event.data.pipeline.stepUuid,
    }),
  );
  if (round >= 0) record('the whole decideRequest', whole);
}
await issuer.close();

const baseline = median(figures.get('baseline: one ES256 verification') ?? []);
console.log(
  `${REQUESTS} requests × ${ROUNDS} rounds (one warm-up), ${new Date().toISOString()}, node ${process.version}`,
);
console.log('| stage | CPU per request (median) | × one ES256 verification |\n|---|---|---|');
const line = (name: string, ms: number) =>
  console.log(`| ${name} | ${ms.toFixed(3)} ms | ${(ms / baseline).toFixed(1)}× |`);
let stages = 0;
for (const [name, values] of figures) {
  line(name, median(values));
  if (!name.startsWith('baseline') && !name.startsWith('the whole')) stages += median(values);
}
// What the whole costs beyond the stages above: the limits, the replay table, the decision's
// facts, its ES256 signature and its record (answer.ts finish).
line(
  'the rest: decision built, signed, recorded',
  median(figures.get('the whole decideRequest') ?? []) - stages,
);
