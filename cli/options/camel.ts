/** `--flag-name` → `flagName`, as commander names an option's value. */
export const camel = (flag: string): string =>
  flag.replace(/^--/, '').replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
