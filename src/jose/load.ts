/**
 * jose, loaded on first use and once. Everything in src/jose reaches the library through
 * here, so a deployable that never signs or verifies never loads it, and the pipe can start
 * loading it while its first network calls are in flight (`preloadJose`) instead of before.
 */
type Jose = typeof import('jose');

let loading: Promise<Jose> | undefined;

export function loadJose(): Promise<Jose> {
  loading ??= import('jose');
  return loading;
}

/** Starts loading jose without waiting for it; a failure surfaces at the first real use. */
export function preloadJose(): void {
  loadJose().catch(() => {});
}
