import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';

// The bundles test/setup/bundle.ts built for this run, through esbuild's own record of what
// went into each (scripts/build.ts writes dist/meta/<name>.json).
const ROOT = new URL('../../', import.meta.url);

async function inputsOf(bundle: 'pipe' | 'service'): Promise<string[]> {
  const meta: unknown = JSON.parse(await readFile(new URL(`dist/meta/${bundle}.json`, ROOT), 'utf8'));
  if (typeof meta !== 'object' || meta === null || !('inputs' in meta)) throw new Error('no inputs');
  return Object.keys(meta.inputs as object);
}

describe('what each deployable ships', () => {
  it('the pipe bundle carries the pipe, and no Cedar, service, audit or policy code', async () => {
    const inputs = await inputsOf('pipe');
    expect(inputs).toContain('pipe/request-command.ts');
    expect(inputs).toContain('cli/admin/keys/register.ts');
    const foreign = inputs.filter((i) =>
      /^(src\/(policy|service|audit)\/|cli\/(service|admin\/(audit|policy))\/)|@cedar-policy|client-s3/.test(
        i,
      ),
    );
    expect(foreign).toEqual([]);
  });

  it('the service bundle carries serve and the admin commands, and none of the pipe', async () => {
    const inputs = await inputsOf('service');
    for (const file of ['cli/service/serve-command.ts', 'cli/admin/audit/audit-command.ts'])
      expect(inputs).toContain(file);
    expect(inputs.filter((i) => i.startsWith('pipe/'))).toEqual([]);
  });
});
