import { httpResource } from '@angular/common/http';
import { ChangeDetectionStrategy, Component, computed, inject, input, signal } from '@angular/core';
import { FormControl, FormGroup, ReactiveFormsModule, Validators } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatCardModule } from '@angular/material/card';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { Router } from '@angular/router';
import { ApiClient } from '../../../core/api/api-client';
import { errorMessage } from '../../../core/api/api-error';
import type { PublicEvent } from '../../../core/api/api-types';
import { AttendeeKey } from '../../../core/attendee/attendee-key';
import { AttendeeBar } from '../../../core/layout/attendee-bar';
import { SignedInAttendee } from '../components/signed-in-attendee';
import { formatInZone } from '../../../shared/format';
import { valueOf } from '../../../shared/resource-value';

@Component({
  selector: 'app-register-page',
  imports: [ReactiveFormsModule, MatCardModule, MatFormFieldModule, MatInputModule, MatButtonModule, MatProgressBarModule, AttendeeBar, SignedInAttendee],
  template: `
    <app-attendee-bar />
    <main class="page narrow">
      @if (event.isLoading()) {
        <mat-progress-bar mode="indeterminate" aria-label="Loading the event" />
      }
      @if (event.error()) {
        <h1>Event not found</h1>
        <p>There is no event at this link. Check the link your organiser shared.</p>
      }
      @if (event.hasValue()) {
        @let e = event.value();
        <h1>{{ e.name }}</h1>
        @if (e.organizerName) {
          <p class="muted">Organised by {{ e.organizerName }}</p>
        }
        @if (e.description) {
          <p>{{ e.description }}</p>
        }
        <p><strong>When:</strong> {{ zoned(e.startsAt, e.timeZone) }} – {{ zoned(e.endsAt, e.timeZone) }} ({{ e.timeZone }})</p>
        @if (e.registration.mode === 'github') {
          <app-signed-in-attendee [eventId]="e.id" [eventName]="e.name" [closedReason]="closedReason()" [signInError]="signInError()" />
        } @else if (closedReason(); as reason) {
          <p class="error-text" role="alert">{{ reason }}</p>
        } @else {
          <mat-card appearance="outlined">
            <mat-card-content>
              <h2>Get your API key</h2>
              <form [formGroup]="form" (ngSubmit)="register(e.id)">
                <mat-form-field appearance="outline" class="full-width">
                  <mat-label>Your name</mat-label>
                  <input matInput formControlName="name" autocomplete="name" required />
                  <mat-error>Enter your name.</mat-error>
                </mat-form-field>
                <mat-form-field appearance="outline" class="full-width">
                  <mat-label>Email</mat-label>
                  <input matInput type="email" formControlName="email" autocomplete="email" required />
                  <mat-hint>One key per email: lost it? Ask the organiser for a new one</mat-hint>
                  <mat-error>Enter a valid email address.</mat-error>
                </mat-form-field>
                @if (e.registration.mode === 'code') {
                  <mat-form-field appearance="outline" class="full-width">
                    <mat-label>Registration code</mat-label>
                    <input matInput formControlName="code" autocomplete="off" required />
                    <mat-hint>Your organiser gives you this code</mat-hint>
                    <mat-error>Enter the registration code.</mat-error>
                  </mat-form-field>
                }
                @if (error()) {
                  <p class="error-text" role="alert">{{ error() }}</p>
                }
                <button mat-flat-button type="submit" [disabled]="busy()">Register</button>
              </form>
            </mat-card-content>
          </mat-card>
        }
      }
    </main>
  `,
  styles: `
    .narrow {
      max-width: 640px;
    }
    h1 {
      font-size: 1.8rem;
      font-weight: 500;
      margin: 24px 0 4px;
    }
    h2 {
      font-size: 1.2rem;
      font-weight: 500;
      margin: 0 0 16px;
    }
    mat-form-field {
      margin-bottom: 8px;
    }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export default class RegisterPage {
  private readonly api = inject(ApiClient);
  private readonly attendee = inject(AttendeeKey);
  private readonly router = inject(Router);
  readonly eventId = input.required<string>();
  /** Set by the sign-in callback when it came back without a session. */
  readonly signInError = input<string>();

  protected readonly event = httpResource<PublicEvent>(() => this.api.url('/api/v1/events/{eventId}', { eventId: this.eventId() }));
  protected readonly closedReason = computed(() => {
    const e = valueOf(this.event);
    if (!e) return '';
    if (!e.active) return 'Registration is closed: the organiser has paused this event.';
    if (e.status === 'ended') return 'This event has ended; registration is closed.';
    return '';
  });
  protected readonly form = new FormGroup({
    name: new FormControl('', { nonNullable: true, validators: [Validators.required, Validators.maxLength(200)] }),
    email: new FormControl('', { nonNullable: true, validators: [Validators.required, Validators.email] }),
    code: new FormControl('', { nonNullable: true }),
  });
  protected readonly error = signal('');
  protected readonly busy = signal(false);

  zoned(iso: string, tz: string): string {
    return formatInZone(iso, tz, false);
  }

  async register(eventId: string): Promise<void> {
    this.form.markAllAsTouched();
    const v = this.form.getRawValue();
    const needsCode = valueOf(this.event)?.registration.mode === 'code';
    if (needsCode && !v.code.trim()) this.form.controls.code.setErrors({ required: true });
    if (this.form.invalid) return;
    this.busy.set(true);
    this.error.set('');
    try {
      const registration = await this.api.post('/api/v1/events/{eventId}/attendees', {
        path: { eventId },
        body: { name: v.name.trim(), email: v.email.trim(), ...(needsCode ? { code: v.code.trim() } : {}) },
      });
      this.attendee.set(registration.apiKey);
      this.attendee.fresh.set({ apiKey: registration.apiKey, eventName: registration.eventName, rotated: false });
      await this.router.navigate(['/register/key']);
    } catch (err) {
      this.error.set(errorMessage(err));
    } finally {
      this.busy.set(false);
    }
  }
}
