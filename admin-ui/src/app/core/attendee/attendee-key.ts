import { computed, Injectable, signal } from '@angular/core';

const KEY = 'aiproxy.attendeeKey';

/** A key just issued (registration or rotation), to show once. */
export interface FreshKey {
  apiKey: string;
  eventName: string;
  /** True when it replaced a previous key. */
  rotated: boolean;
}

/**
 * The attendee's event key for this tab (sessionStorage), so the "my key" page and the Playground can
 * use it. The freshly issued registration is kept in memory only: the key is shown in full once.
 */
@Injectable({ providedIn: 'root' })
export class AttendeeKey {
  private readonly keySignal = signal<string | null>(read());
  readonly key = this.keySignal.asReadonly();
  readonly hasKey = computed(() => !!this.keySignal());
  /** The key just issued, until it has been shown. */
  readonly fresh = signal<FreshKey | null>(null);

  set(key: string): void {
    sessionStorage.setItem(KEY, key);
    this.keySignal.set(key);
  }

  forget(): void {
    sessionStorage.removeItem(KEY);
    this.keySignal.set(null);
    this.fresh.set(null);
  }
}

function read(): string | null {
  try {
    return sessionStorage.getItem(KEY);
  } catch {
    return null;
  }
}
