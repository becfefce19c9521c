import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type OAuthProvider, startOAuthProvider } from '../peers/oauth/provider.ts';
import { serveWithApprovals } from '../support/approvals-serve.ts';
import { PEOPLE } from '../support/approvals-world.ts';
import { freePort } from '../support/free-port.ts';
import { type PipeFixture, pipeFixture } from '../support/pipe-fixture.ts';
import { topicName } from '../transport/contract.ts';

/** Debian's chromium (`.ci/run` installs it); CHROMIUM names another. */
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const OUTPUT = new URL('../../.reports/approvals/', import.meta.url).pathname;
if (!existsSync(CHROMIUM))
  console.warn(
    `skipping the approvals page in a browser: no Chromium at ${CHROMIUM} (apt-get install chromium)`,
  );

let fixture: PipeFixture;
let provider: OAuthProvider;
let served: Awaited<ReturnType<typeof serveWithApprovals>>;
let browser: Browser;
let pageUrl = '';
const topic = topicName('approvals-page');

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) return;
  const port = await freePort();
  pageUrl = `http://127.0.0.1:${port}/approvals`;
  fixture = await pipeFixture();
  provider = await startOAuthProvider({
    people: [PEOPLE.alice, PEOPLE.mallory],
    approvals: { redirectUris: [`${pageUrl}/callback`] },
  });
  served = await serveWithApprovals(fixture, topic, {
    APPROVER_ISSUER: provider.issuer,
    APPROVER_CLIENT_ID: provider.approvalsClientId,
    APPROVALS_URL: pageUrl,
    HTTP_PORT: String(port),
  });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  await mkdir(OUTPUT, { recursive: true });
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await served?.stop();
  await fixture?.close();
  await provider?.close();
});

/** A person signs in through the provider's own login and consent forms, in the browser. */
async function signedIn(who: string): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext();
  // The provider's pages import a web font; nothing leaves the machine.
  await context.route(/^https:\/\//, (route) => route.abort());
  const page = await context.newPage();
  await page.goto(pageUrl, { waitUntil: 'domcontentloaded' });
  await page.fill('input[name=login]', who);
  await page.fill('input[name=password]', 'any');
  await Promise.all([
    page.waitForNavigation({ waitUntil: 'domcontentloaded' }),
    page.click('button[type=submit]'),
  ]);
  if (await page.$('input[name=prompt][value=consent]'))
    await Promise.all([
      page.waitForNavigation({ waitUntil: 'domcontentloaded' }),
      page.click('button[type=submit]'),
    ]);
  expect(page.url()).toBe(pageUrl);
  return { context, page };
}

async function waitForRequest(page: Page): Promise<string> {
  for (let i = 0; i < 100; i++) {
    await page.goto(pageUrl, { waitUntil: 'domcontentloaded' });
    const link = await page.$('table a');
    if (link) return (await link.textContent()) ?? '';
    await page.waitForTimeout(300);
  }
  throw new Error(`nothing became pending; serve said:\n${served.serving.output()}`);
}

describe.skipIf(!existsSync(CHROMIUM))('the approvals page in a real browser (issue 16 §3)', () => {
  it('sign in, see the pending request, approve: the pipe finishes; forged and unauthorised POSTs are refused', async () => {
    const running = served.provision();
    const alice = await signedIn('alice');
    const requestId = await waitForRequest(alice.page);
    const cookies = await alice.context.cookies();
    expect(cookies.find((c) => c.name === 'pg_approvals')).toMatchObject({
      httpOnly: true,
      sameSite: 'Lax',
      path: '/approvals',
    });

    // Mallory signs in too, sees the facts but no button, and a POST with her own valid CSRF token is refused.
    const mallory = await signedIn('mallory');
    const response = await mallory.page.goto(`${pageUrl}/${requestId}`, { waitUntil: 'domcontentloaded' });
    expect(response?.headers()['cache-control']).toBe('no-store');
    expect(await mallory.page.$('#approve')).toBeNull();
    expect(await mallory.page.textContent('body')).toContain(
      'You cannot approve this request: Mallory is not in release-managers',
    );
    const malloryCsrf = await mallory.page.getAttribute(
      'form[action="/approvals/logout"] input[name=csrf]',
      'value',
    );
    await alice.page.goto(`${pageUrl}/${requestId}`);
    const digest = await alice.page.getAttribute('input[name=requestDigest]', 'value');
    const direct = await mallory.context.request.post(`${pageUrl}/${requestId}`, {
      form: { csrf: malloryCsrf ?? '', requestDigest: digest ?? '', decision: 'approve', comment: 'me too' },
    });
    expect(direct.status()).toBe(403);
    expect(await direct.text()).toContain('Mallory is not in release-managers');
    // A forged POST with Alice's session but without the CSRF token is refused before anything is judged.
    const forged = await alice.context.request.post(`${pageUrl}/${requestId}`, {
      form: { requestDigest: digest ?? '', decision: 'approve' },
    });
    expect(forged.status()).toBe(403);
    expect(await forged.text()).toContain('CSRF token missing or wrong');

    // Alice: the request's verified facts, a screenshot for people, then approve.
    await alice.page.goto(`${pageUrl}/${requestId}`, { waitUntil: 'domcontentloaded' });
    expect(await alice.page.textContent('body')).toContain(
      '0 of 1 from release-managers (policy prod-provision)',
    );
    await alice.page.screenshot({ path: join(OUTPUT, 'pending-page.png'), fullPage: true });
    await alice.page.fill('form:has(#approve) input[name=comment]', 'plan reviewed');
    await Promise.all([
      alice.page.waitForNavigation({ waitUntil: 'domcontentloaded' }),
      alice.page.click('#approve'),
    ]);
    expect(await alice.page.textContent('#result')).toBe(`approved: request ${requestId} is approved`);
    const run = await running;
    expect(run.output).toContain('✔ Allowed');
    expect(run.code).toBe(0);
  }, 180_000);
});
