import { computed, Injectable, signal } from '@angular/core';

const KEY = 'aiproxy.adminToken';
const COOKIE_MODE = 'aiproxy.adminCookie';

/**
 * How this tab is signed in: an admin token (kept for this tab only, sessionStorage), or the server's
 * HttpOnly session cookie after "Sign in with Microsoft" (the portal never sees that cookie's value).
 */
@Injectable({ providedIn: 'root' })
export class AdminSession {
  private readonly tokenSignal = signal<string | null>(read(KEY));
  private readonly cookieSignal = signal(read(COOKIE_MODE) === '1');
  readonly token = this.tokenSignal.asReadonly();
  /** Signed in with Microsoft: requests carry the cookie, not a token. */
  readonly usesCookie = this.cookieSignal.asReadonly();
  readonly signedIn = computed(() => !!this.tokenSignal() || this.cookieSignal());

  signIn(token: string): void {
    sessionStorage.setItem(KEY, token);
    sessionStorage.removeItem(COOKIE_MODE);
    this.tokenSignal.set(token);
    this.cookieSignal.set(false);
  }

  signedInWithCookie(): void {
    sessionStorage.setItem(COOKIE_MODE, '1');
    sessionStorage.removeItem(KEY);
    this.tokenSignal.set(null);
    this.cookieSignal.set(true);
  }

  signOut(): void {
    sessionStorage.removeItem(KEY);
    sessionStorage.removeItem(COOKIE_MODE);
    this.tokenSignal.set(null);
    this.cookieSignal.set(false);
  }
}

function read(key: string): string | null {
  try {
    return sessionStorage.getItem(key);
  } catch {
    return null;
  }
}
