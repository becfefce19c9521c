import type { OpenedRecord } from './records.ts';

/**
 * APPROVAL_WEBHOOK_URL: told once when a request becomes pending, with its verified facts and
 * the page's link. The body's `text` is what Slack and Microsoft Teams incoming webhooks show
 * (both read a top-level `text`); the other members are for anything else that listens. The
 * URL is a secret (Slack's and Teams' carry a token): it is never logged. A failure is a
 * warning: the request still waits, and people can still find it on the page.
 */
export function webhookNotifier(
  url: string,
  warn: (message: string) => void,
): (opened: OpenedRecord, link: string | undefined) => void {
  return (opened, link) => {
    const body = JSON.stringify(notification(opened, link));
    fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
      signal: AbortSignal.timeout(5_000),
    })
      .then((response) => {
        if (!response.ok)
          warn(`the approval webhook answered ${response.status} for request ${opened.requestId}`);
      })
      .catch(() => warn(`the approval webhook could not be reached for request ${opened.requestId}`));
  };
}

export function notification(opened: OpenedRecord, link: string | undefined) {
  const v = opened.facts.verified;
  const p = v?.pipeline;
  const what = `${opened.facts.asked.action} of ${v?.environment?.name ?? opened.facts.asked.environment}`;
  const run = p
    ? `${p.branch ?? p.tag ?? p.ref} at ${p.commit.slice(0, 12)}, build ${p.build}, run by ${p.triggeredBy}`
    : 'run not established';
  const needs = opened.approval.map((r) => `${r.count} from ${r.groups.join(' or ')}`).join(', or ');
  return {
    text: `⏸ Approval needed: ${what} (${run}) needs ${needs}${link ? ` — ${link}` : ''}`,
    requestId: opened.requestId,
    link,
    action: opened.facts.asked.action,
    repositoryUuid: v?.repositoryUuid,
    environment: v?.environment?.name,
    pipeline: p,
    approval: opened.approval,
    expiresAt: opened.expiresAt,
  };
}
