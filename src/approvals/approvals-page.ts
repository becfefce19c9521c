import type { IncomingMessage, ServerResponse } from 'node:http';
import { approvalsApi } from './approvals-api.ts';
import type { ApprovalDesk } from './desk.ts';
import { actions, esc, facts, list, page } from './page-html.ts';
import { cookie, csrfMatches, type PageSessions, setCookie } from './page-sessions.ts';
import type { PageSignIn } from './page-sign-in.ts';

const SESSION = 'pg_approvals';
const LOGIN = 'pg_approvals_login';
const MAX_FORM_BYTES = 4 * 1024;

/** Nothing is cached (RFC 9111 §5.2.2.5); no script, no framing, forms only back to us. */
const HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'content-security-policy':
    "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

export interface PageParts {
  readonly desk: ApprovalDesk;
  readonly sessions: PageSessions;
  readonly signIn: PageSignIn;
  /** APPROVALS_URL: the page's public address (https: cookies are Secure). */
  readonly pageUrl: string;
}

/**
 * `/approvals`, served by `serve`: sign in at the organisation's IdP (code + PKCE), the
 * pending requests with their verified facts, and approve / reject with a comment. Every form
 * carries the session's CSRF token; a POST without it, or from a person the rules refuse, is
 * refused before anything is recorded. `/approvals/api/…` is the CLI's JSON API.
 */
export async function approvalsPage(
  p: PageParts,
  request: IncomingMessage,
  response: ServerResponse,
  path: string,
): Promise<void> {
  if (path.startsWith('/approvals/api/')) return approvalsApi(p.desk, request, response, path);
  const secure = p.pageUrl.startsWith('https:');
  const html = (status: number, body: string, extra: Record<string, string | string[]> = {}) => {
    response.writeHead(status, { ...HEADERS, ...extra }).end(body);
  };
  const redirect = (to: string, extra: Record<string, string | string[]> = {}) => {
    response.writeHead(303, { 'cache-control': 'no-store', location: to, ...extra }).end();
  };
  if (path === '/approvals/login') {
    const { url, login } = await p.signIn.begin();
    return redirect(url, { 'set-cookie': setCookie(LOGIN, p.sessions.startLogin(login), secure, 600) });
  }
  if (path === '/approvals/callback') {
    const login = p.sessions.takeLogin(cookie(request.headers.cookie, LOGIN));
    if (login === undefined)
      return html(
        400,
        page('Sign-in expired', undefined, '<p><a href="/approvals/login">Sign in again</a></p>'),
      );
    const signedIn = await p.signIn
      .finish(new URL(request.url ?? '', p.pageUrl), login)
      .catch(() => undefined);
    if (signedIn === undefined)
      return html(403, page('Sign-in failed', undefined, '<p><a href="/approvals/login">Try again</a></p>'));
    const key = p.sessions.open(signedIn.idToken, signedIn.expiresAt);
    const maxAge = Math.max(0, Math.floor((signedIn.expiresAt - Date.now()) / 1000));
    return redirect('/approvals', {
      'set-cookie': [setCookie(SESSION, key, secure, maxAge), setCookie(LOGIN, '', secure, 0)],
    });
  }
  const key = cookie(request.headers.cookie, SESSION);
  const session = p.sessions.get(key);
  const who = session && (await p.desk.whoIs(session.idToken));
  if (session === undefined || who === undefined) {
    if (request.method !== 'GET') return html(403, page('Not signed in', undefined, '<p>Sign in first.</p>'));
    return redirect('/approvals/login');
  }
  const show = (status: number, title: string, body: string) =>
    html(status, page(title, who, body, session.csrf));
  if (request.method === 'POST') {
    const form = await readForm(request);
    if (!csrfMatches(session, form.get('csrf')))
      return show(
        403,
        'Refused',
        '<p class="refused">The form was not sent from this page (CSRF token missing or wrong).</p>',
      );
    if (path === '/approvals/logout') {
      p.sessions.close(key);
      return redirect('/approvals/login', { 'set-cookie': setCookie(SESSION, '', secure, 0) });
    }
    return act(p, show, path, session.idToken, form);
  }
  if (request.method !== 'GET') return show(405, 'Not allowed', '');
  const entries = await p.desk.pending();
  if (path === '/approvals') return show(200, 'Pending approvals', list(entries, p.desk.now()));
  const id = decodeURIComponent(/^\/approvals\/([^/]+)$/.exec(path)?.[1] ?? '');
  const entry = entries.find((e) => e.opened.requestId === id);
  if (entry === undefined)
    return show(
      404,
      'Not waiting',
      `<p>No request ${esc(id)} is waiting for approval. <a href="/approvals">All pending</a></p>`,
    );
  const { facts: f } = entry.opened;
  const body = facts(entry, p.desk.now()) + actions(entry, session.csrf, p.desk.mayApprove(who, entry));
  return show(200, `Approve ${f.asked.action} of ${f.verified?.environment?.name ?? '?'}`, body);
}

/** A form's approve or reject, judged by the desk exactly as the API's (the CSRF token already checked). */
async function act(
  p: PageParts,
  show: (status: number, title: string, body: string) => void,
  path: string,
  idToken: string,
  form: URLSearchParams,
): Promise<void> {
  const id = decodeURIComponent(/^\/approvals\/([^/]+)$/.exec(path)?.[1] ?? '');
  const decision = form.get('decision');
  if (decision !== 'approve' && decision !== 'reject')
    return show(400, 'Refused', '<p>Approve or reject.</p>');
  const result = await p.desk.act(idToken, {
    requestId: id,
    requestDigest: form.get('requestDigest') ?? '',
    kind: decision,
    comment: form.get('comment') ?? '',
  });
  if (!result.ok) return show(result.status, 'Refused', `<p class="refused">${esc(result.reason)}</p>`);
  return show(
    200,
    'Done',
    `<p id="result">${esc(result.message)}</p><p><a href="/approvals">All pending</a></p>`,
  );
}

async function readForm(request: IncomingMessage): Promise<URLSearchParams> {
  let text = '';
  for await (const chunk of request as AsyncIterable<Buffer>) {
    text += chunk.toString('utf8');
    if (text.length > MAX_FORM_BYTES) return new URLSearchParams();
  }
  return new URLSearchParams(text);
}
