/**
 * A person at a browser, without one: follows the provider's pages over HTTP with a cookie
 * jar, submitting each form as a person would — the device code's confirmation (RFC 8628
 * §3.3), the login form (as `sub`, any password) and the consent form — until a page with no
 * form, or a redirect away from the provider (returned, for the code flow's callback).
 */
const FORM = /<form[^>]*?action="([^"]*)"[^>]*>([\s\S]*?)<\/form>/i;
const INPUT = /<input[^>]*?name="([^"]+)"[^>]*?>/gi;

export async function signInAtProvider(
  start: string,
  sub: string,
  stopAt?: string,
): Promise<{ page: string; url: string }> {
  const jar = new Map<string, string>();
  let url = start;
  let init: RequestInit = {};
  for (let step = 0; step < 20; step++) {
    const response = await fetch(url, {
      ...init,
      redirect: 'manual',
      headers: { ...(init.headers ?? {}), cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; ') },
    });
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const at = pair?.indexOf('=') ?? -1;
      if (pair && at > 0) jar.set(pair.slice(0, at), pair.slice(at + 1));
    }
    const location = response.headers.get('location');
    if (location) {
      url = new URL(location, url).toString();
      if (stopAt !== undefined && url.startsWith(stopAt)) return { page: '', url };
      init = {};
      continue;
    }
    const page = await response.text();
    const form = FORM.exec(page);
    if (!form) return { page, url };
    const fields = new URLSearchParams();
    for (const input of (form[2] ?? '').matchAll(INPUT)) {
      const name = input[1] ?? '';
      const value = /value="([^"]*)"/.exec(input[0])?.[1] ?? '';
      if (name === 'abort') continue;
      fields.set(name, name === 'login' ? sub : name === 'password' ? 'any' : value);
    }
    url = new URL(form[1] ?? url, url).toString();
    init = { method: 'POST', body: fields, headers: { 'content-type': 'application/x-www-form-urlencoded' } };
  }
  throw new Error(`sign-in did not finish; last at ${url}`);
}
