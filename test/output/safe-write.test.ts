import { lstat, mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { prepareDirectory, writeFilesAtomically } from '../../src/output/safe-write.ts';

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'pulsar-gate-safe-write-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const mode = async (path: string) => (await stat(path)).mode & 0o777;

describe('prepareDirectory', () => {
  it('creates the directory 0700, or tightens an existing one to 0700', async () => {
    await prepareDirectory(join(root, 'new'));
    expect(await mode(join(root, 'new'))).toBe(0o700);
    await mkdir(join(root, 'open'), { mode: 0o777 });
    await prepareDirectory(join(root, 'open'));
    expect(await mode(join(root, 'open'))).toBe(0o700);
  });

  it('refuses a symbolic link or a file in its place', async () => {
    await mkdir(join(root, 'elsewhere'));
    await symlink(join(root, 'elsewhere'), join(root, 'link'));
    await expect(prepareDirectory(join(root, 'link'))).rejects.toMatchObject({ code: 'OUTPUT_UNSAFE' });
    await writeFile(join(root, 'file'), 'x');
    await expect(prepareDirectory(join(root, 'file'))).rejects.toMatchObject({ code: 'OUTPUT_UNSAFE' });
  });
});

describe('writeFilesAtomically', () => {
  it('writes every file 0600 and returns the paths in the order given', async () => {
    const files = [
      { name: 'a', content: 'first\n' },
      { name: 'b', content: 'second\n' },
      { name: 'c', content: 'third\n' },
    ];
    const written = await writeFilesAtomically(root, files);
    expect(written).toEqual(files.map((f) => join(root, f.name)));
    for (const f of files) {
      expect(await readFile(join(root, f.name), 'utf8')).toBe(f.content);
      expect(await mode(join(root, f.name))).toBe(0o600);
    }
    expect((await readdir(root)).sort()).toEqual(['a', 'b', 'c']);
  });

  it('replaces a planted symbolic link instead of writing through it', async () => {
    const victim = join(root, 'victim');
    await writeFile(victim, 'untouched');
    await symlink(victim, join(root, 'a'));
    await writeFilesAtomically(root, [{ name: 'a', content: 'secret' }]);
    expect(await readFile(victim, 'utf8')).toBe('untouched');
    expect((await lstat(join(root, 'a'))).isSymbolicLink()).toBe(false);
  });

  it('writes none when one cannot be written, and leaves no temporary file behind', async () => {
    const files = [
      { name: 'a', content: 'first' },
      { name: 'missing-dir/b', content: 'second' },
      { name: 'c', content: 'third' },
    ];
    await expect(writeFilesAtomically(root, files)).rejects.toMatchObject({ code: 'OUTPUT_WRITE' });
    expect(await readdir(root)).toEqual([]);
  });
});
