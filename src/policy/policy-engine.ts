import { allowOrPending } from './approval-verdict.ts';
import { type AuthorizationError, describeCedarError, whereIn } from './cedar.ts';
import { authorizePreparsed, buildCedarRequest, type CedarRequest } from './cedar-request.ts';
import { fitForDecision } from './decision-limits.ts';
import type { EngineParts } from './engine-parts.ts';
import { explainNoPermit } from './explain-deny.ts';
import type { PolicyDecision, PolicyEngine, PolicyInput } from './types.ts';

export function createPolicyEngine(parts: EngineParts, reload: () => Promise<PolicyEngine>): PolicyEngine {
  const { ids, meta } = parts;
  const authorize = (request: CedarRequest, policySet: string) =>
    authorizePreparsed(request, { schema: ids.schema, policySet });
  const label = (id: string) => {
    const a = meta.get(id)?.annotations ?? {};
    const about = a.description ?? a.reason;
    return about === undefined ? `policy ${id}` : `policy ${id} (${JSON.stringify(about)})`;
  };
  const placeError = ({ policyId, error }: AuthorizationError) => {
    const entry = meta.get(policyId)?.entry;
    return describeCedarError(
      error,
      `policy ${policyId}${entry ? ` (${whereIn(entry.file, error, entry.base)})` : ''}`,
    );
  };

  /** Never throws: whatever goes wrong is a deny that says what (P4, fail closed). */
  function decide(input: PolicyInput): PolicyDecision {
    try {
      return fitForDecision(evaluate(input));
    } catch (cause) {
      const message = cause instanceof Error ? cause.message : String(cause);
      return fitForDecision(failClosed([`cannot evaluate: ${message}`], 'policy'));
    }
  }

  function evaluate(input: PolicyInput): PolicyDecision {
    if (!Number.isFinite(input.now.getTime()))
      return failClosed(['the decision time is not a valid date'], 'time');
    const request = buildCedarRequest(input, parts.groups);
    const answer = authorize(request, ids.policySet);
    if (answer.type === 'failure') {
      return failClosed(
        answer.errors.map((e) => describeCedarError(e, 'request')),
        'request: does not match the policy schema',
      );
    }
    const { decision, diagnostics } = answer.response;
    if (diagnostics.errors.length > 0) {
      // Cedar skips a policy that errors and decides without it
      // (https://docs.cedarpolicy.com/auth/authorization.html): a forbid that errored would
      // silently stop forbidding. We fail closed instead: any error is a deny.
      const failed = diagnostics.errors.map((e) => e.policyId);
      return failClosed(diagnostics.errors.map(placeError), `policy ${failed.join(', ')}: evaluation error`);
    }
    const matched = diagnostics.reason;
    if (decision === 'allow')
      return allowOrPending(matched, { annotations: (id) => meta.get(id)?.annotations ?? {}, label });
    if (matched.length > 0) {
      return {
        verdict: 'deny',
        determining: matched,
        reasons: matched.map((id) => {
          const why = meta.get(id)?.annotations.reason;
          return why === undefined ? `forbidden by ${label(id)}` : `forbidden by policy ${id}: ${why}`;
        }),
        errors: [],
        failedPath: `policy ${matched.join(', ')}`,
      };
    }
    const probes = authorize(request, ids.explain);
    if (probes.type === 'failure') {
      // The request evaluated cleanly above, so this should not happen; if it does, say less, not wrong.
      const reasons = [`no policy permits ${request.action.id} (the closest rule could not be worked out)`];
      return { verdict: 'deny', determining: [], reasons, errors: [], failedPath: 'policy' };
    }
    const satisfied = new Set(probes.response.diagnostics.reason);
    const { reasons, failedPath } = explainNoPermit(parts.plan, satisfied, request, label);
    return { verdict: 'deny', determining: [], reasons, errors: [], failedPath };
  }

  return Object.freeze({
    dir: parts.dir,
    digest: parts.digest,
    policyIds: Object.freeze([...meta.keys()]),
    warnings: Object.freeze([...parts.warnings]),
    decide,
    reload,
  });
}

function failClosed(errors: string[], failedPath: string): PolicyDecision {
  return {
    verdict: 'deny',
    determining: [],
    reasons: ['denied because the policy could not be evaluated cleanly (fail closed)', ...errors],
    errors,
    failedPath,
  };
}
