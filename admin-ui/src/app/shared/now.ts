import { DestroyRef, inject, signal, Signal } from '@angular/core';

/** The current time as a signal ticking every `ms` (for countdowns); stops with the component. */
export function injectNow(ms = 1000): Signal<number> {
  const now = signal(Date.now());
  const timer = setInterval(() => now.set(Date.now()), ms);
  inject(DestroyRef).onDestroy(() => clearInterval(timer));
  return now.asReadonly();
}
