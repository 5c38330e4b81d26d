import { computed, Injectable, signal } from '@angular/core';

const KEY = 'aiproxy.adminToken';

/** The organiser's admin token, kept for this browser tab only (sessionStorage). */
@Injectable({ providedIn: 'root' })
export class AdminSession {
  private readonly tokenSignal = signal<string | null>(read());
  readonly token = this.tokenSignal.asReadonly();
  readonly signedIn = computed(() => !!this.tokenSignal());

  signIn(token: string): void {
    sessionStorage.setItem(KEY, token);
    this.tokenSignal.set(token);
  }

  signOut(): void {
    sessionStorage.removeItem(KEY);
    this.tokenSignal.set(null);
  }
}

function read(): string | null {
  try {
    return sessionStorage.getItem(KEY);
  } catch {
    return null;
  }
}
