import { writeOutcomeFile } from '../src/output/step-outputs.ts';
import type { OutcomeDocument } from './outcome-document.ts';
import type { createStepLog } from './step-log.ts';

/** outcome.json, without the credentials' whereabouts; a failure to write it is a warning, never the verdict. */
export async function leaveOutcome(
  dir: string,
  { credentials: _where, hint: _hint, ...document }: OutcomeDocument,
  log: ReturnType<typeof createStepLog>,
): Promise<void> {
  try {
    await writeOutcomeFile(dir, document);
  } catch (error) {
    log.warn(`⚠ outcome.json not written: ${error instanceof Error ? error.message : String(error)}`);
  }
}
