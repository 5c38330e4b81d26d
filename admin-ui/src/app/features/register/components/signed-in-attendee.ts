import { HttpErrorResponse, httpResource } from '@angular/common/http';
import { ChangeDetectionStrategy, Component, computed, inject, input, signal } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MatCardModule } from '@angular/material/card';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { Router } from '@angular/router';
import { ApiClient } from '../../../core/api/api-client';
import { errorMessage } from '../../../core/api/api-error';
import type { SelfStatus } from '../../../core/api/api-types';
import { AttendeeKey } from '../../../core/attendee/attendee-key';
import { formatNumber } from '../../../shared/format';
import { valueOf } from '../../../shared/resource-value';

/** What each ?signInError= code from the sign-in callback means to the attendee. */
export const SIGN_IN_ERRORS: Record<string, string> = {
  access_denied: 'GitHub sign-in was cancelled. Sign in again to get your key.',
  state_mismatch: 'That sign-in did not start in this browser, so it was refused. Sign in again from this page.',
  provider_error: 'GitHub sign-in did not complete. Try again in a moment.',
  unavailable: 'GitHub sign-in is not set up on this server yet. Tell the organiser.',
};

/**
 * For events whose attendees sign in (GitHub): sign in, get a key, and come back later to see its
 * prefix, today's usage, or rotate it. The session is an HttpOnly cookie the browser sends by itself.
 */
@Component({
  selector: 'app-signed-in-attendee',
  imports: [MatCardModule, MatButtonModule, MatProgressBarModule],
  template: `
    @if (signInErrorText(); as text) {
      <p class="error-text" role="alert">{{ text }}</p>
    }
    <mat-card appearance="outlined">
      <mat-card-content>
        @if (status.isLoading()) {
          <mat-progress-bar mode="indeterminate" aria-label="Checking your sign-in" />
        } @else if (state() === 'signed-out') {
          <h2>Get your API key</h2>
          <p>This event registers attendees with their GitHub account: your key belongs to your GitHub identity, and you can come back to see or replace it.</p>
          <a mat-flat-button [href]="loginUrl()">Sign in with GitHub</a>
        } @else if (state() === 'not-registered') {
          <h2>Get your API key</h2>
          @if (closedReason(); as reason) {
            <p class="error-text" role="alert">{{ reason }}</p>
          } @else {
            <p>You are signed in with GitHub.</p>
            <button mat-flat-button type="button" [disabled]="busy()" (click)="register()">Get my key</button>
          }
        } @else if (mine(); as m) {
          <h2>Your key</h2>
          <p class="muted">Signed in as {{ m.identity.login }} ({{ m.email }})</p>
          <p>
            Key <code data-testid="key-prefix">{{ m.key_prefix }}…</code>
            @if (!m.active) {
              <strong class="error-text"> revoked by the organiser</strong>
            }
          </p>
          <p class="muted small">Only the start of your key is kept visible. Lost the key? Rotate it: you get a new one and the old one stops working.</p>
          <div class="quota">
            <span id="self-quota-label">Today: {{ n(m.usage.requests) }} of {{ n(m.usage.daily_request_cap) }} requests · {{ n(m.usage.tokens) }} tokens</span>
            <mat-progress-bar mode="determinate" [value]="quotaPercent()" aria-labelledby="self-quota-label" />
            <span class="muted small">Up to {{ n(m.usage.max_token_cap) }} tokens per request.</span>
          </div>
          <div class="row">
            <button mat-flat-button type="button" [disabled]="busy() || !m.active" (click)="rotate()">Rotate my key</button>
            <button mat-button type="button" [disabled]="busy()" (click)="signOut()">Sign out</button>
          </div>
        } @else {
          <p class="error-text" role="alert">{{ loadError() }}</p>
        }
        @if (error()) {
          <p class="error-text" role="alert">{{ error() }}</p>
        }
      </mat-card-content>
    </mat-card>
  `,
  styles: `
    h2 {
      font-size: 1.2rem;
      font-weight: 500;
      margin: 0 0 12px;
    }
    .quota {
      display: grid;
      gap: 6px;
      margin: 12px 0 16px;
    }
    .small {
      font-size: 0.85rem;
    }
    .row {
      display: flex;
      gap: 8px;
    }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class SignedInAttendee {
  private readonly api = inject(ApiClient);
  private readonly attendee = inject(AttendeeKey);
  private readonly router = inject(Router);
  readonly eventId = input.required<string>();
  readonly eventName = input.required<string>();
  readonly closedReason = input('');
  readonly signInError = input<string>();
  protected readonly n = formatNumber;

  protected readonly status = httpResource<SelfStatus>(() => this.api.url('/api/v1/attendee/event/{eventId}', { eventId: this.eventId() }));
  protected readonly mine = computed(() => valueOf(this.status));
  /** 401: no session; 404: signed in but not registered for this event. */
  protected readonly state = computed(() => {
    const err = this.status.error();
    if (err instanceof HttpErrorResponse && err.status === 401) return 'signed-out';
    if (err instanceof HttpErrorResponse && err.status === 404) return 'not-registered';
    return err ? 'error' : 'registered';
  });
  protected readonly loadError = computed(() => (this.status.error() ? errorMessage(this.status.error()) : ''));
  protected readonly loginUrl = computed(() => this.api.url('/api/v1/attendee/auth/{provider}/login', { provider: 'github' }, { event: this.eventId() }));
  protected readonly signInErrorText = computed(() => {
    const code = this.signInError();
    return code ? (SIGN_IN_ERRORS[code] ?? SIGN_IN_ERRORS['provider_error']) : '';
  });
  protected readonly quotaPercent = computed(() => {
    const m = this.mine();
    return m ? Math.min(100, (m.usage.requests / m.usage.daily_request_cap) * 100) : 0;
  });
  protected readonly busy = signal(false);
  protected readonly error = signal('');

  register(): Promise<void> {
    return this.act(async () => {
      const r = await this.api.post('/api/v1/attendee/event/{eventId}/register', { path: { eventId: this.eventId() } });
      if (r.api_key) await this.showOnce(r.api_key, false);
      else this.status.reload();
    });
  }

  rotate(): Promise<void> {
    return this.act(async () => {
      const r = await this.api.post('/api/v1/attendee/event/{eventId}/rotate', { path: { eventId: this.eventId() } });
      await this.showOnce(r.api_key, true);
    });
  }

  signOut(): Promise<void> {
    return this.act(async () => {
      await this.api.post('/api/v1/attendee/auth/sign-out', {});
      this.status.reload();
    });
  }

  private async showOnce(apiKey: string, rotated: boolean): Promise<void> {
    this.attendee.set(apiKey);
    this.attendee.fresh.set({ apiKey, eventName: this.eventName(), rotated });
    await this.router.navigate(['/register/key']);
  }

  private async act(work: () => Promise<void>): Promise<void> {
    this.busy.set(true);
    this.error.set('');
    try {
      await work();
    } catch (err) {
      this.error.set(errorMessage(err));
    } finally {
      this.busy.set(false);
    }
  }
}
