import type { VerifiedApprover } from '../decision/approval-facts.ts';
import type { Entry } from './book.ts';
import type { Refusal } from './judge.ts';
import { tally } from './tally.ts';

/** Text into HTML (element content and quoted attributes alike). */
export const esc = (text: unknown): string =>
  String(text ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** One page: server-rendered, no script, works without JavaScript. */
export function page(title: string, who: VerifiedApprover | undefined, body: string, csrf?: string): string {
  const out = csrf
    ? ` <form method="post" action="/approvals/logout" style="display:inline"><input type="hidden" name="csrf" value="${esc(csrf)}"><button type="submit">Sign out</button></form>`
    : '';
  const groups = who ? esc(who.groups.join(', ') || 'no groups') : '';
  const signedIn = who ? `<p class="who">Signed in as ${esc(who.name)} (${groups})${out}</p>` : '';
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>
<style>body{font-family:system-ui,sans-serif;margin:2rem;max-width:60rem}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.3rem .6rem;text-align:left;vertical-align:top}.who{color:#555}.refused{color:#a00}form{margin:.6rem 0}</style>
</head><body><h1>${esc(title)}</h1>${signedIn}${body}</body></html>`;
}

/** The facts a person decides on: only what the service verified (the step token, Bitbucket's API). */
export function facts(entry: Entry, now: number): string {
  const { opened } = entry;
  const v = opened.facts.verified;
  const p = v?.pipeline;
  const standing = tally(opened, entry.acts, now);
  const rows: [string, string][] = [
    ['Request', esc(opened.requestId)],
    ['Action', esc(opened.facts.asked.action)],
    ['Repository', esc(v?.repositoryUuid)],
    ['Environment', esc(v?.environment?.name ?? 'not established')],
    ['Ref', esc(p ? (p.branch ?? p.tag ?? p.ref) : 'not established')],
    ['Commit', esc(p?.commit ?? 'not established')],
    ['Pipeline', p ? `build ${esc(p.build)}, step ${esc(v?.stepUuid)}, ${esc(p.trigger)}` : esc(v?.stepUuid)],
    ['Run by', esc(p?.triggeredBy ?? 'unknown')],
    [
      'Needs',
      opened.approval
        .map((r, i) => {
          const got = standing.state === 'pending' ? (standing.progress[i]?.approvers ?? []) : [];
          const names = got.map((a) => esc(a.approver.name)).join(', ');
          return `${got.length} of ${r.count} from ${esc(r.groups.join(' or '))} (policy ${esc(r.policy)})${names ? `: ${names}` : ''}`;
        })
        .join('<br>'),
    ],
    [
      'Open until',
      `${esc(opened.expiresAt)} (${Math.max(0, Math.round((Date.parse(opened.expiresAt) - now) / 60_000))} min left)`,
    ],
  ];
  return `<table>${rows.map(([k, v]) => `<tr><th>${k}</th><td>${v}</td></tr>`).join('')}</table>`;
}

/** Approve and reject, each a form with the session's CSRF token; or why this person may not. */
export function actions(entry: Entry, csrf: string, refused: Refusal | undefined): string {
  if (refused) return `<p class="refused">You cannot approve this request: ${esc(refused.reason)}</p>`;
  const hidden = `<input type="hidden" name="csrf" value="${esc(csrf)}"><input type="hidden" name="requestDigest" value="${esc(entry.opened.requestDigest)}">`;
  const action = `/approvals/${encodeURIComponent(entry.opened.requestId)}`;
  return `<form method="post" action="${action}">${hidden}<input type="hidden" name="decision" value="approve">
<label>Comment <input name="comment" size="60"></label> <button type="submit" id="approve">Approve</button></form>
<form method="post" action="${action}">${hidden}<input type="hidden" name="decision" value="reject">
<label>Reason <input name="comment" size="60" required></label> <button type="submit" id="reject">Reject</button></form>`;
}

export function list(entries: readonly Entry[], now: number): string {
  if (entries.length === 0) return '<p>Nothing is waiting for approval.</p>';
  const rows = entries.map((e) => {
    const v = e.opened.facts.verified;
    const href = `/approvals/${encodeURIComponent(e.opened.requestId)}`;
    const left = Math.max(0, Math.round((Date.parse(e.opened.expiresAt) - now) / 60_000));
    return `<tr><td><a href="${href}">${esc(e.opened.requestId)}</a></td><td>${esc(e.opened.facts.asked.action)} ${esc(v?.environment?.name)}</td><td>${esc(v?.pipeline?.branch ?? v?.pipeline?.tag ?? '')} ${esc(v?.pipeline?.commit?.slice(0, 12) ?? '')}</td><td>${left} min</td></tr>`;
  });
  return `<table><tr><th>Request</th><th>What</th><th>Ref, commit</th><th>Left</th></tr>${rows.join('')}</table>`;
}
