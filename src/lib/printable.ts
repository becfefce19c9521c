/**
 * Makes a value that arrived from outside (a header `kid`, a field name) safe to put in a
 * one-line message: control characters could forge log lines or drive a terminal, and an
 * attacker-sized value could flood the step log.
 */
export function printable(value: unknown, max = 64): string {
  const text = typeof value === 'string' ? value : String(value);
  const cleaned = text.replace(/[\p{Cc}\u2028\u2029]/gu, '?');
  return cleaned.length > max ? `${cleaned.slice(0, max)}…` : cleaned;
}
