import type { Standing } from './tally.ts';

/**
 * What the pipe prints while it waits, one line per way the request can be approved:
 * "1 of 2 approvals from release-managers — approve at https://…/approvals/<id>".
 */
export function progressLines(
  standing: Extract<Standing, { state: 'pending' }>,
  link: string | undefined,
): string[] {
  return standing.progress.map(({ requirement, approvers }) => {
    const from = requirement.groups.join(' or ');
    const where = link === undefined ? '' : ` — approve at ${link}`;
    return `${approvers.length} of ${requirement.count} approval${requirement.count === 1 ? '' : 's'} from ${from}${where}`;
  });
}
