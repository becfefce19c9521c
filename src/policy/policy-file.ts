import {
  describeCedarError,
  locate,
  type PolicyJson,
  policySetTextToParts,
  policyToJson,
  type SourceText,
  templateToJson,
  whereIn,
} from './cedar.ts';

/** One static policy or template as written in a `.cedar` file, parsed once at load. */
export interface PolicyEntry {
  id: string;
  kind: 'policy' | 'template';
  file: SourceText;
  /** Byte offset of `text` in the file: Cedar's locations in `text` are relative to it. */
  base: number;
  /** The policy's own source (annotations included), as Cedar cut it from the file. */
  text: string;
  /** Cedar's JSON form (EST), for annotations and for building the deny explanations. */
  est: PolicyJson;
  annotations: Readonly<Record<string, string>>;
}

export interface ParsedFile {
  entries: PolicyEntry[];
  problems: string[];
}

/**
 * Splits a file with Cedar's own parser (`policySetTextToParts`, which returns each policy's
 * original text, templates separately), then finds each piece in the file to number it in file
 * order and to turn later validation offsets into `file:line:col`.
 */
export function parsePolicyFile(file: SourceText): ParsedFile {
  const parts = policySetTextToParts(file.text);
  if (parts.type === 'failure') {
    return { entries: [], problems: parts.errors.map((e) => describeCedarError(e, whereIn(file, e))) };
  }
  const pieces = [
    ...parts.policies.map((text) => ({ text, kind: 'policy' as const })),
    ...parts.policy_templates.map((text) => ({ text, kind: 'template' as const })),
  ];
  const used = new Set<number>();
  const placed = pieces
    .map((piece) => ({ ...piece, at: findUnused(file.text, piece.text, used) }))
    .sort((a, b) => a.at - b.at);
  const entries: PolicyEntry[] = [];
  const problems: string[] = [];
  placed.forEach((piece, index) => {
    const base = piece.at < 0 ? 0 : Buffer.byteLength(file.text.slice(0, piece.at), 'utf8');
    const json = piece.kind === 'policy' ? policyToJson(piece.text) : templateToJson(piece.text);
    if (json.type === 'failure') {
      problems.push(...json.errors.map((e) => describeCedarError(e, whereIn(file, e, base))));
      return;
    }
    const annotations = json.json.annotations ?? {};
    const id = annotations.id ?? `${file.name}:${index}`;
    const where = locate(file, base);
    if (id.trim() === '')
      problems.push(`${where}: @id is empty; give the policy a name or drop the annotation`);
    const approval = annotations.approval;
    if (approval !== undefined && json.json.effect !== 'permit') {
      problems.push(`${where}: @approval on a forbid policy means nothing; it belongs on a permit`);
    } else if (approval !== undefined && approversOf(approval).length === 0) {
      problems.push(`${where}: @approval names no approver group (e.g. @approval("release-managers"))`);
    }
    const count = annotations.approvals;
    if (count !== undefined && approval === undefined) {
      problems.push(
        `${where}: @approvals counts approvers of an @approval; name the group with @approval("…")`,
      );
    } else if (count !== undefined && approvalCount(count) === undefined) {
      problems.push(
        `${where}: @approvals must be a whole number of distinct approvers from 1 to ${MAX_APPROVALS} (e.g. @approvals("2"))`,
      );
    }
    entries.push({ id, kind: piece.kind, file, base, text: piece.text, est: json.json, annotations });
  });
  return { entries, problems };
}

/** `@approval("release-managers, security")`: one or more comma-separated approver groups. */
export function approversOf(annotation: string): string[] {
  return annotation
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
}

/** GitHub environments allow up to 6 required reviewers; a quorum beyond 10 is a typo. */
export const MAX_APPROVALS = 10;

/** `@approvals("2")`: how many distinct people must approve (default 1); undefined when not 1-10. */
export function approvalCount(annotation: string | undefined): number | undefined {
  if (annotation === undefined) return 1;
  if (!/^\s*[1-9][0-9]?\s*$/.test(annotation)) return undefined;
  const n = Number(annotation);
  return n <= MAX_APPROVALS ? n : undefined;
}

/** Identical policies may appear twice in a file; each copy is matched to its own position. */
function findUnused(text: string, piece: string, used: Set<number>): number {
  for (let at = text.indexOf(piece); at >= 0; at = text.indexOf(piece, at + 1)) {
    if (!used.has(at)) {
      used.add(at);
      return at;
    }
  }
  return -1;
}
