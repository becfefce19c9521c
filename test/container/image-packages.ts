// Which packages an image's node_modules may hold: the ones a bundle keeps external and what
// each needs at run time, at the locations package-lock.json gives them.
import { readFileSync } from 'node:fs';

interface LockEntry {
  readonly dependencies?: Record<string, string>;
  readonly optionalDependencies?: Record<string, string>;
}

const LOCK = JSON.parse(readFileSync(new URL('../../package-lock.json', import.meta.url), 'utf8')) as {
  packages: Record<string, LockEntry>;
};

/** Where Node finds `name` from the package at `from`: its own node_modules, then each one up. */
function resolve(from: string, name: string): string | undefined {
  for (let base = from; ; ) {
    const candidate = `${base ? `${base}/` : ''}node_modules/${name}`;
    if (candidate in LOCK.packages) return candidate;
    if (base === '') return undefined;
    base = base.slice(0, base.lastIndexOf('node_modules/')).replace(/\/$/, '');
  }
}

/** `node_modules/<name>` and the locations of everything it needs at run time, sorted. */
export function runtimeClosure(name: string): string[] {
  const found = new Set<string>();
  const visit = (location: string): void => {
    if (found.has(location)) return;
    found.add(location);
    const entry = LOCK.packages[location] ?? {};
    const required = Object.keys(entry.dependencies ?? {});
    const optional = Object.keys(entry.optionalDependencies ?? {});
    for (const dependency of [...required, ...optional]) {
      const at = resolve(location, dependency);
      if (at !== undefined) visit(at);
      else if (required.includes(dependency))
        throw new Error(`${location} needs ${dependency}, not in the lock`);
    }
  };
  visit(`node_modules/${name}`);
  return [...found].sort();
}

/** Lists an image's packages (directories with a package.json at a package's place), one a line. */
export const LIST_PACKAGES = `cd /service && find node_modules -name package.json | grep -E '^(node_modules/(@[^/]+/)?[^/]+/)+package\\.json$' | sed 's|/package\\.json$||' | sort`;
