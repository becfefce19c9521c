type Raw = Readonly<Record<string, string | undefined>>;

/** Readers for `serve` options: each problem is one line naming its variable, all reported together. */
export function serveFields(raw: Raw, problems: string[]) {
  const need = (name: string): string => {
    const value = raw[name]?.trim() ?? '';
    if (!value) problems.push(`${name}: is required`);
    return value;
  };
  const optional = (name: string): string | undefined => raw[name]?.trim() || undefined;
  const split = (value: string | undefined): string[] =>
    (value ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  const int = (name: string, fallback: number, min: number, max: number): number => {
    const text = raw[name]?.trim();
    if (!text) return fallback;
    const n = Number(text);
    if (/^\d+$/.test(text) && n >= min && n <= max) return n;
    problems.push(
      `${name}: must be a whole number from ${min} to ${max} (got ${JSON.stringify(text.slice(0, 40))})`,
    );
    return fallback;
  };
  const bool = (name: string): boolean => /^(1|true|yes|on)$/i.test(raw[name] ?? '');
  return { need, optional, list: (name: string) => split(need(name)), split, int, bool };
}
