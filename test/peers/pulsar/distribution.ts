// Obtains the Pulsar server distribution from Maven Central (via the local Maven repo) and
// unpacks it once into a cache outside the repository, so every run and every worktree shares it.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rename, rm, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * The test broker. Bitbucket's step tokens have no `nbf`, which Pulsar's OpenID Connect
 * provider required until apache/pulsar#25197 (released in 3.0.16, 4.0.9 and 4.1.3); 3.0.16
 * is the one fixed release Maven Central serves. Launchers may override it with PULSAR_VERSION.
 */
export const DEFAULT_PULSAR_VERSION = '3.0.16';

/** The newest 4.0.x Maven Central serves: still refuses tokens without `nbf` (one test shows it). */
export const PULSAR_VERSION_REQUIRING_NBF = '4.0.8';

/** Cache root shared with scripts/node.sh: `$PULSAR_GATE_CACHE` or `~/.cache/pulsar-gate`. */
export function cacheRoot(): string {
  return process.env.PULSAR_GATE_CACHE ?? join(homedir(), '.cache', 'pulsar-gate');
}

// Passed to mvn explicitly, so the file lands exactly where we look for it.
const mavenRepo = (): string => join(homedir(), '.m2', 'repository');

function tarballPath(version: string): string {
  return join(
    mavenRepo(),
    'org/apache/pulsar/pulsar-server-distribution',
    version,
    `pulsar-server-distribution-${version}-bin.tar.gz`,
  );
}

/** Ensures the tarball is in the local Maven repository, downloading it with mvn when missing. */
export async function ensureTarball(version: string): Promise<string> {
  const tarball = tarballPath(version);
  if (existsSync(tarball)) return tarball;
  process.stderr.write(`pulsar-gate: downloading Pulsar ${version} server distribution from Maven Central\n`);
  const artifact = `org.apache.pulsar:pulsar-server-distribution:${version}:tar.gz:bin`;
  try {
    // -Dtransitive=false: otherwise Maven resolves the whole broker dependency graph as well.
    await run(
      'mvn',
      [
        '-B',
        '-q',
        'org.apache.maven.plugins:maven-dependency-plugin:3.8.1:get',
        `-Dartifact=${artifact}`,
        '-Dtransitive=false',
        `-Dmaven.repo.local=${mavenRepo()}`,
      ],
      { maxBuffer: 16 * 1024 * 1024 },
    );
  } catch (error) {
    throw new Error(`mvn could not download ${artifact} (is Maven installed and Maven Central reachable?)`, {
      cause: error,
    });
  }
  if (!existsSync(tarball)) throw new Error(`mvn finished but ${tarball} is missing`);
  return tarball;
}

// Leftovers of unpacks that were killed; a young one may belong to a parallel run, so keep it.
async function removeStaleStaging(root: string): Promise<void> {
  for (const entry of await readdir(root)) {
    if (!entry.startsWith('.unpack-')) continue;
    const dir = join(root, entry);
    const age = Date.now() - (await stat(dir)).mtimeMs;
    if (age > 30 * 60_000) await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Returns PULSAR_HOME for `version`, unpacking it on first use. Unpacking goes into a temp dir
 * that is renamed into place, so a killed unpack never leaves a half-populated home behind.
 */
export async function ensureDistribution(version: string = DEFAULT_PULSAR_VERSION): Promise<string> {
  const root = join(cacheRoot(), 'pulsar');
  const home = join(root, `apache-pulsar-${version}`);
  if (existsSync(join(home, 'bin', 'pulsar'))) return home;
  const tarball = await ensureTarball(version);
  await mkdir(root, { recursive: true });
  await removeStaleStaging(root);
  const staging = await mkdtemp(join(root, `.unpack-${version}-`));
  try {
    await run('tar', ['-xzf', tarball, '-C', staging]);
    try {
      await rename(join(staging, `apache-pulsar-${version}`), home);
    } catch (error) {
      // A parallel run may have won the race; its copy is as good as ours.
      if (!existsSync(join(home, 'bin', 'pulsar'))) throw error;
    }
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  return home;
}
