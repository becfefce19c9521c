import { describe, expect, it } from 'vitest';
import {
  type ConditionBlock,
  type PolicyDocument,
  type PolicyStatement,
  providerArn,
  readTrustPolicy,
} from './policy-document.ts';
import { evaluate, webIdentityContext } from './policy-evaluation.ts';

const ACCOUNT = '123456789012';
const GATE = 'https://gate.example.com/oidc';
const GATE_HOST = 'gate.example.com/oidc';
const BITBUCKET = 'https://api.bitbucket.org/2.0/workspaces/acme/pipelines-config/identity/oidc';
const REPO = '6f1c0d2e-3b4a-4c5d-8e9f-0a1b2c3d4e5f';
const PRODUCTION = `repo:${REPO}:env:production`;
const TAGS = { repository: REPO, environment: 'production', action: 'deploy' };

const gateStatement = (overrides: Partial<PolicyStatement> = {}): PolicyStatement => ({
  Effect: 'Allow',
  Principal: { Federated: providerArn(ACCOUNT, GATE) },
  Action: ['sts:AssumeRoleWithWebIdentity', 'sts:TagSession'],
  Condition: {
    StringEquals: {
      [`${GATE_HOST}:aud`]: 'sts.amazonaws.com',
      [`${GATE_HOST}:sub`]: PRODUCTION,
      'aws:RequestTag/environment': 'production',
    },
  },
  ...overrides,
});

const doc = (...statements: PolicyStatement[]): PolicyDocument => ({
  Version: '2012-10-17',
  Statement: statements,
});

type Call = {
  issuer?: string;
  action?: string;
  sub?: string;
  aud?: string;
  tags?: Record<string, string> | null;
};

function verdict(document: PolicyDocument, call: Call = {}) {
  const issuer = call.issuer ?? GATE;
  const tags = call.tags === null ? undefined : { tags: call.tags ?? TAGS, transitiveTagKeys: [] };
  return evaluate(readTrustPolicy(document), {
    principal: providerArn(ACCOUNT, issuer),
    action: call.action ?? 'sts:AssumeRoleWithWebIdentity',
    context: webIdentityContext(
      issuer.replace('https://', ''),
      { aud: call.aud ?? 'sts.amazonaws.com', sub: call.sub ?? PRODUCTION },
      tags,
    ),
  });
}

describe('trust policy evaluation, as IAM documents it', () => {
  it('allows the pinned repository+environment for both actions, with a matching tag', () => {
    for (const action of ['sts:AssumeRoleWithWebIdentity', 'sts:TagSession']) {
      expect(verdict(doc(gateStatement()), { action })).toMatchObject({ effect: 'Allow' });
    }
  });

  it('denies a token from another provider, even one whose claims copy the gate token', () => {
    // Bitbucket's provider, with condition keys spelled for its host: a step token that
    // claims the gate's sub and tags is still from the wrong principal.
    const v = verdict(doc(gateStatement()), { issuer: BITBUCKET });
    expect(v).toMatchObject({
      effect: 'ImplicitDeny',
      reason: expect.stringMatching(/principal .*bitbucket/),
    });
  });

  it('denies staging for a production role, and a tag that disagrees with sub', () => {
    const staging = verdict(doc(gateStatement()), {
      sub: `repo:${REPO}:env:staging`,
      tags: { ...TAGS, environment: 'staging' },
    });
    expect(staging).toMatchObject({ effect: 'ImplicitDeny', reason: expect.stringMatching(/:sub/) });
    const injected = verdict(doc(gateStatement()), { tags: { ...TAGS, environment: 'production ' } });
    expect(injected).toMatchObject({ reason: expect.stringMatching(/aws:RequestTag\/environment/) });
    expect(verdict(doc(gateStatement()), { tags: null })).toMatchObject({ effect: 'ImplicitDeny' });
    expect(verdict(doc(gateStatement()), { aud: 'ari:cloud:bitbucket::workspace/x' }).effect).toBe(
      'ImplicitDeny',
    );
  });

  it('needs sts:TagSession in Action to tag; no prefix or case trick stands in for it', () => {
    const noTag = doc(gateStatement({ Action: 'sts:AssumeRoleWithWebIdentity' }));
    expect(verdict(noTag).effect).toBe('Allow');
    expect(verdict(noTag, { action: 'sts:TagSession' })).toMatchObject({
      effect: 'ImplicitDeny',
      reason: expect.stringMatching(/sts:TagSession is not in Action/),
    });
    const prefix = doc(gateStatement({ Action: ['sts:AssumeRole', 'sts:Tag'] }));
    expect(verdict(prefix).effect).toBe('ImplicitDeny');
    expect(verdict(prefix, { action: 'sts:TagSession' }).effect).toBe('ImplicitDeny');
    const wildcard = doc(gateStatement({ Action: 'STS:*' }));
    expect(verdict(wildcard, { action: 'sts:TagSession' }).effect).toBe('Allow');
  });

  it('an explicit Deny wins over any Allow, in whatever order', () => {
    const deny = gateStatement({
      Effect: 'Deny',
      Condition: { StringEquals: { 'aws:RequestTag/action': 'destroy' } },
    });
    for (const document of [doc(gateStatement(), deny), doc(deny, gateStatement())]) {
      expect(verdict(document, { tags: { ...TAGS, action: 'destroy' } })).toEqual({
        effect: 'ExplicitDeny',
        by: expect.stringMatching(/^statement \d$/),
      });
      expect(verdict(document).effect).toBe('Allow');
    }
    expect(verdict(doc(deny), { tags: { ...TAGS, action: 'deploy' } }).effect).toBe('ImplicitDeny');
  });

  it('StringLike wildcards match no more than * and ? say', () => {
    const like = (pattern: string, sub: string) =>
      verdict(doc(gateStatement({ Condition: { StringLike: { [`${GATE_HOST}:sub`]: pattern } } })), {
        sub,
      }).effect;
    expect(like(`repo:${REPO}:env:*`, PRODUCTION)).toBe('Allow');
    expect(like(`repo:${REPO}:env:*`, `repo:${REPO}x:env:production`)).toBe('ImplicitDeny');
    expect(like(`repo:${REPO}:env:*`, `xrepo:${REPO}:env:production`)).toBe('ImplicitDeny');
    expect(like(`repo:${REPO}:env:prod`, PRODUCTION)).toBe('ImplicitDeny');
    expect(like('repo:?:env:production', 'repo:ab:env:production')).toBe('ImplicitDeny');
    expect(like('repo:??:env:production', 'repo:ab:env:production')).toBe('Allow');
    // Regular-expression characters are literal: `.` is not "any character", `|` no alternative.
    expect(like('repo:a.c:env:production', 'repo:abc:env:production')).toBe('ImplicitDeny');
    expect(like(`repo:${REPO}:env:(production|staging)`, `repo:${REPO}:env:staging`)).toBe('ImplicitDeny');
    // StringEquals takes `*` literally.
    const equals = doc(gateStatement({ Condition: { StringEquals: { [`${GATE_HOST}:sub`]: 'repo:*' } } }));
    expect(verdict(equals).effect).toBe('ImplicitDeny');
  });

  it('values of one key are OR’d; keys and operators are AND’d; key names ignore case', () => {
    const statement = gateStatement({
      Condition: {
        StringEquals: {
          [`${GATE_HOST}:SUB`]: [`repo:${REPO}:env:staging`, PRODUCTION],
          'AWS:RequestTag/Environment': ['staging', 'production'],
        },
        StringLike: { [`${GATE_HOST}:aud`]: 'sts.amazonaws.*' },
      },
    });
    expect(verdict(doc(statement)).effect).toBe('Allow');
    expect(verdict(doc(statement), { tags: { ...TAGS, environment: 'dev' } }).effect).toBe('ImplicitDeny');
    expect(verdict(doc(statement), { aud: 'sts.amazonaws' }).effect).toBe('ImplicitDeny');
  });

  it('negated operators: none of the values, and true for an absent key', () => {
    const not = (condition: ConditionBlock, call: Call = {}) =>
      verdict(doc(gateStatement({ Condition: condition })), call).effect;
    const notLike = { StringNotLike: { [`${GATE_HOST}:sub`]: ['*:env:staging', '*:env:dev'] } };
    expect(not(notLike)).toBe('Allow');
    expect(not(notLike, { sub: `repo:${REPO}:env:dev` })).toBe('ImplicitDeny');
    expect(not({ StringNotEquals: { 'aws:RequestTag/role': 'admin' } })).toBe('Allow');
    expect(not({ StringNotEquals: { 'aws:RequestTag/action': 'deploy' } })).toBe('ImplicitDeny');
    expect(not({ StringEqualsIfExists: { 'aws:RequestTag/role': 'admin' } })).toBe('Allow');
  });

  it('set operators over aws:TagKeys, and Null to require a tag', () => {
    const set = (condition: ConditionBlock, call: Call = {}) =>
      verdict(doc(gateStatement({ Condition: condition })), call).effect;
    const only = { 'ForAllValues:StringEquals': { 'aws:TagKeys': ['repository', 'environment', 'action'] } };
    expect(set(only)).toBe('Allow');
    expect(set(only, { tags: { ...TAGS, admin: 'true' } })).toBe('ImplicitDeny');
    // ForAllValues holds for a request without tags: AWS's documented trap, hence Null.
    expect(set(only, { tags: null })).toBe('Allow');
    const required = { ...only, Null: { 'aws:RequestTag/environment': 'false' } };
    expect(set(required, { tags: null })).toBe('ImplicitDeny');
    const any = { 'ForAnyValue:StringLike': { 'aws:TagKeys': 'env*' } };
    expect(set(any)).toBe('Allow');
    expect(set(any, { tags: { repository: REPO } })).toBe('ImplicitDeny');
    expect(set(any, { tags: null })).toBe('ImplicitDeny');
    expect(set({ Null: { 'aws:RequestTag/environment': 'true' } })).toBe('ImplicitDeny');
  });

  it('refuses, when the policy is read, what it would not evaluate faithfully', () => {
    const bad: unknown[] = [
      { Version: '2012-10-17', Statement: [] },
      { Version: '2021-01-01', Statement: gateStatement() },
      doc({ ...gateStatement(), Principal: { Federated: [] } }),
      doc({ ...gateStatement(), Condition: { StringEqualsAnything: { k: 'v' } } }),
      doc({ ...gateStatement(), Condition: { 'ForAllValues:Null': { k: 'true' } } }),
      doc({ ...gateStatement(), Condition: { StringEquals: { k: [] } } }),
    ];
    const withExtra = { ...gateStatement(), NotPrincipal: { Federated: 'x' } };
    bad.push({ Version: '2012-10-17', Statement: [withExtra] });
    bad.push({ Version: '2012-10-17', Statement: [{ ...gateStatement(), Principal: '*' }] });
    bad.push('{"Version": "2012-10-17",');
    for (const document of bad) {
      expect(() => readTrustPolicy(document as PolicyDocument)).toThrow(/^trust policy: /);
    }
    expect(readTrustPolicy(JSON.stringify(doc(gateStatement()))).statements).toHaveLength(1);
  });
});
