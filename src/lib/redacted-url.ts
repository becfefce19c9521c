/**
 * A URL as messages may show it: scheme, host and path only. User info and the query are
 * dropped because either may carry a credential (`user:password@`, `?token=`), and the
 * fragment with them; messages end up in step logs that many people can read.
 */
export function redactedUrl(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname}`;
}
