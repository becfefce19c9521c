import { createWriteStream } from 'node:fs';
import type { DecisionLogEntry } from '../../src/service/decision-log.ts';

/**
 * DECISION_LOG: one JSON line per decision, appended to a file only the service's user can
 * read (0600), or on the service's output when it is `-`.
 */
export function decisionLogWriter(
  target: string,
  output: (line: string) => void,
): { write(entry: DecisionLogEntry): void; end(): Promise<void> } {
  const out = target === '-' ? undefined : createWriteStream(target, { flags: 'a', mode: 0o600 });
  return {
    write: (entry) => {
      const line = `${JSON.stringify({ time: new Date().toISOString(), decision: entry })}\n`;
      if (out) out.write(line);
      else output(line);
    },
    end: () => new Promise<void>((resolve) => (out ? out.end(resolve) : resolve())),
  };
}
