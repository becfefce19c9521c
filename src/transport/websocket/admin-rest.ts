import type { TokenSource } from '../transport.ts';

/**
 * A call to the broker's admin REST API, which its web service serves beside the WebSocket
 * API, with the transport's own token: a role may make the few calls that need only the
 * permissions it already has on a topic (see topic-end-request.ts, subscription-start.ts).
 */
export async function adminRest(
  base: URL,
  path: string,
  token: TokenSource | undefined,
  init: { method?: 'GET' | 'PUT' | 'POST'; body?: unknown; timeoutMs: number },
): Promise<{ url: URL; response: Response }> {
  const url = new URL(`${base.pathname.replace(/\/$/, '')}/admin/v2/${path}`, base);
  url.protocol = url.protocol === 'wss:' ? 'https:' : 'http:';
  const bearer = typeof token === 'function' ? await token() : token;
  const headers: Record<string, string> = bearer ? { authorization: `Bearer ${bearer}` } : {};
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(url, {
    method: init.method ?? 'GET',
    headers,
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
    signal: AbortSignal.timeout(init.timeoutMs),
  });
  return { url, response };
}
