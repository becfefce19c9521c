import { randomBytes, timingSafeEqual } from 'node:crypto';

/** A signed-in person's session on the approvals page (held by the replica that signed them in). */
export interface Session {
  /** The verified ID token: the desk verifies it again on every act. Never shown, never logged. */
  readonly idToken: string;
  /** The synchronizer token every form carries (OWASP CSRF cheat sheet). */
  readonly csrf: string;
  /** Epoch ms: the ID token's expiry; the session ends with it. */
  readonly expiresAt: number;
}

/** A sign-in under way: what the callback must find again (RFC 7636 verifier, state, nonce). */
export interface PendingLogin {
  readonly verifier: string;
  readonly state: string;
  readonly nonce: string;
  readonly expiresAt: number;
}

const id = (): string => randomBytes(32).toString('base64url');

/**
 * Sessions and sign-ins in memory, by a random id that is the only thing in the cookie
 * (HttpOnly, SameSite=Lax, Secure behind https, Path=/approvals). A replica restart signs
 * everyone out; several replicas behind one page need sticky sessions (README, "Approvals").
 */
export class PageSessions {
  readonly #sessions = new Map<string, Session>();
  readonly #logins = new Map<string, PendingLogin>();
  readonly #now: () => number;

  constructor(now: () => number) {
    this.#now = now;
  }

  startLogin(login: Omit<PendingLogin, 'expiresAt'>): string {
    this.#prune();
    const key = id();
    this.#logins.set(key, { ...login, expiresAt: this.#now() + 10 * 60_000 });
    return key;
  }

  /** The sign-in under this cookie, once: a callback cannot be replayed. */
  takeLogin(key: string | undefined): PendingLogin | undefined {
    const login = key === undefined ? undefined : this.#logins.get(key);
    if (key !== undefined) this.#logins.delete(key);
    return login && login.expiresAt > this.#now() ? login : undefined;
  }

  open(idToken: string, expiresAt: number): string {
    this.#prune();
    const key = id();
    this.#sessions.set(key, { idToken, csrf: id(), expiresAt });
    return key;
  }

  close(key: string | undefined): void {
    if (key !== undefined) this.#sessions.delete(key);
  }

  get(key: string | undefined): Session | undefined {
    const session = key === undefined ? undefined : this.#sessions.get(key);
    return session && session.expiresAt > this.#now() ? session : undefined;
  }

  #prune(): void {
    const now = this.#now();
    for (const [k, s] of this.#sessions) if (s.expiresAt <= now) this.#sessions.delete(k);
    for (const [k, l] of this.#logins) if (l.expiresAt <= now) this.#logins.delete(k);
  }
}

/** Constant-time comparison of the form's CSRF token with the session's. */
export function csrfMatches(session: Session, sent: unknown): boolean {
  if (typeof sent !== 'string') return false;
  const a = Buffer.from(session.csrf);
  const b = Buffer.from(sent);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** `name=value` from a Cookie header (RFC 6265 §5.4). */
export function cookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return v.join('=');
  }
  return undefined;
}

/** Set-Cookie for the page: HttpOnly always, Secure when the page is served over https (RFC 6265 §4.1.2). */
export function setCookie(name: string, value: string, secure: boolean, maxAgeSeconds: number): string {
  return `${name}=${value}; Path=/approvals; HttpOnly; SameSite=Lax; Max-Age=${maxAgeSeconds}${secure ? '; Secure' : ''}`;
}
