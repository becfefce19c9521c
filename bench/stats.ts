/** Medians and ratios for side-by-side benchmark figures. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
}

export function row(name: string, subject: number[], baseline: number[], target: number): string {
  const s = median(subject);
  const b = median(baseline);
  const ratio = s / b;
  const verdict = ratio <= target ? 'meets' : 'misses';
  return `| ${name} | ${s.toFixed(0)} ms | ${b.toFixed(0)} ms | ${ratio.toFixed(2)}× | ≤ ${target}× (${verdict}) |`;
}
