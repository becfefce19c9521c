/**
 * RFC 7515 §4.1.9: a `typ` without a "/" means "application/<value>", and media types compare
 * case-insensitively (RFC 2045 §5.1), so both spellings of our explicit types (RFC 8725 §3.11)
 * are accepted and nothing else is.
 */
export function typMatches(typ: unknown, expected: string): boolean {
  if (typeof typ !== 'string') return false;
  const full = typ.includes('/') ? typ : `application/${typ}`;
  return full.toLowerCase() === expected.toLowerCase();
}
