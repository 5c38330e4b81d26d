import { httpResource } from '@angular/common/http';
import { ChangeDetectionStrategy, Component, computed, effect, inject, input, signal } from '@angular/core';
import { toSignal } from '@angular/core/rxjs-interop';
import { AbstractControl, FormControl, FormGroup, ReactiveFormsModule, ValidationErrors, Validators } from '@angular/forms';
import { MatAutocompleteModule } from '@angular/material/autocomplete';
import { MatButtonModule } from '@angular/material/button';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { MatRadioModule } from '@angular/material/radio';
import { MatSlideToggleModule } from '@angular/material/slide-toggle';
import { Router, RouterLink } from '@angular/router';
import { ApiClient } from '../../../core/api/api-client';
import { errorMessage } from '../../../core/api/api-error';
import type { CreateEventBody, EventResponse } from '../../../core/api/api-types';
import { isTimeZone, timeZones, utcToWallTime, wallTimeToUtc } from '../../../shared/zoned-time';
import { EventsData } from '../data/events.data';

const HOUR = 3_600_000;
const timeZoneValidator = (c: AbstractControl<string>): ValidationErrors | null => (isTimeZone(c.value) ? null : { timeZone: true });

function newForm() {
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  const start = new Date(Math.floor(Date.now() / HOUR) * HOUR).toISOString();
  const end = new Date(Date.parse(start) + 24 * HOUR).toISOString();
  return new FormGroup({
    name: new FormControl('', { nonNullable: true, validators: [Validators.required, Validators.maxLength(200)] }),
    id: new FormControl('', { nonNullable: true, validators: [Validators.pattern(/^[a-z0-9](?:[a-z0-9-]{1,62}[a-z0-9])$/)] }),
    description: new FormControl('', { nonNullable: true, validators: [Validators.maxLength(10_000)] }),
    organizerName: new FormControl('', { nonNullable: true, validators: [Validators.maxLength(200)] }),
    organizerEmail: new FormControl('', { nonNullable: true, validators: [Validators.email] }),
    timeZone: new FormControl(zone, { nonNullable: true, validators: [Validators.required, timeZoneValidator] }),
    startsAt: new FormControl(utcToWallTime(start, zone), { nonNullable: true, validators: [Validators.required] }),
    endsAt: new FormControl(utcToWallTime(end, zone), { nonNullable: true, validators: [Validators.required] }),
    maxTokenCap: new FormControl(4096, { nonNullable: true, validators: [Validators.required, Validators.min(1), Validators.max(1_000_000)] }),
    dailyRequestCap: new FormControl(1000, { nonNullable: true, validators: [Validators.required, Validators.min(1), Validators.max(10_000_000)] }),
    active: new FormControl(true, { nonNullable: true }),
    registrationMode: new FormControl<'open' | 'code'>('open', { nonNullable: true }),
    registrationCode: new FormControl('', { nonNullable: true, validators: [Validators.minLength(4), Validators.maxLength(128)] }),
  });
}

@Component({
  selector: 'app-event-form-page',
  imports: [
    ReactiveFormsModule,
    RouterLink,
    MatFormFieldModule,
    MatInputModule,
    MatButtonModule,
    MatAutocompleteModule,
    MatRadioModule,
    MatSlideToggleModule,
  ],
  template: `
    <div class="page">
      <header class="page-header">
        <h1>{{ eventId() ? 'Edit event' : 'New event' }}</h1>
      </header>
      @if (existing.error(); as err) {
        <p class="error-text" role="alert">{{ message(err) }}</p>
      }
      <form [formGroup]="form" (ngSubmit)="save()" class="form">
        <fieldset>
          <legend>About</legend>
          <div class="form-grid">
            <mat-form-field appearance="outline">
              <mat-label>Name</mat-label>
              <input matInput formControlName="name" required />
              <mat-error>Give the event a name.</mat-error>
            </mat-form-field>
            @if (!eventId()) {
              <mat-form-field appearance="outline">
                <mat-label>Event id (optional)</mat-label>
                <input matInput formControlName="id" placeholder="spring-hack" />
                <mat-hint>Lowercase letters, digits and dashes; made from the name when empty</mat-hint>
                <mat-error>3–64 lowercase letters, digits or dashes.</mat-error>
              </mat-form-field>
            }
            <mat-form-field appearance="outline">
              <mat-label>Organiser</mat-label>
              <input matInput formControlName="organizerName" autocomplete="name" />
            </mat-form-field>
            <mat-form-field appearance="outline">
              <mat-label>Organiser email</mat-label>
              <input matInput type="email" formControlName="organizerEmail" autocomplete="email" />
              <mat-error>Enter a valid email address.</mat-error>
            </mat-form-field>
          </div>
          <mat-form-field appearance="outline" class="full-width">
            <mat-label>Description</mat-label>
            <textarea matInput formControlName="description" rows="2"></textarea>
          </mat-form-field>
        </fieldset>

        <fieldset>
          <legend>When</legend>
          <div class="form-grid">
            <mat-form-field appearance="outline">
              <mat-label>Time zone</mat-label>
              <input matInput formControlName="timeZone" [matAutocomplete]="zones" required />
              <mat-autocomplete #zones="matAutocomplete">
                @for (z of zoneOptions(); track z) {
                  <mat-option [value]="z">{{ z }}</mat-option>
                }
              </mat-autocomplete>
              <mat-hint>Times below are in this zone; daily caps reset at its midnight</mat-hint>
              <mat-error>Pick an IANA time zone such as Europe/Berlin.</mat-error>
            </mat-form-field>
            <mat-form-field appearance="outline">
              <mat-label>Starts</mat-label>
              <input matInput type="datetime-local" formControlName="startsAt" required />
            </mat-form-field>
            <mat-form-field appearance="outline">
              <mat-label>Ends</mat-label>
              <input matInput type="datetime-local" formControlName="endsAt" required />
            </mat-form-field>
          </div>
        </fieldset>

        <fieldset>
          <legend>Caps per attendee</legend>
          <div class="form-grid">
            <mat-form-field appearance="outline">
              <mat-label>Requests per day</mat-label>
              <input matInput type="number" min="1" formControlName="dailyRequestCap" required />
              <mat-error>Between 1 and 10,000,000.</mat-error>
            </mat-form-field>
            <mat-form-field appearance="outline">
              <mat-label>Max tokens per request</mat-label>
              <input matInput type="number" min="1" formControlName="maxTokenCap" required />
              <mat-error>Between 1 and 1,000,000.</mat-error>
            </mat-form-field>
          </div>
        </fieldset>

        <fieldset>
          <legend>Registration</legend>
          <mat-radio-group formControlName="registrationMode" aria-label="Registration mode" class="row">
            <mat-radio-button value="open">Open to anyone with the link</mat-radio-button>
            <mat-radio-button value="code">Needs a code</mat-radio-button>
          </mat-radio-group>
          @if (form.controls.registrationMode.value === 'code') {
            <mat-form-field appearance="outline" class="code">
              <mat-label>Registration code</mat-label>
              <input matInput formControlName="registrationCode" required />
              <mat-error>At least 4 characters.</mat-error>
            </mat-form-field>
          }
          <mat-slide-toggle formControlName="active">Active (attendees can register and use their keys)</mat-slide-toggle>
        </fieldset>

        @if (error()) {
          <p class="error-text" role="alert">{{ error() }}</p>
        }
        <div class="row">
          <button mat-flat-button type="submit" [disabled]="busy()">{{ eventId() ? 'Save changes' : 'Create event' }}</button>
          <a mat-button [routerLink]="eventId() ? ['/admin/events', eventId()] : ['/admin/events']">Cancel</a>
        </div>
      </form>
    </div>
  `,
  styles: `
    .form {
      max-width: 900px;
    }
    fieldset {
      border: 1px solid var(--mat-sys-outline-variant, #c4c6d0);
      border-radius: 12px;
      padding: 12px 16px 4px;
      margin: 0 0 16px;
    }
    legend {
      padding: 0 6px;
      font-weight: 500;
    }
    .code {
      margin-top: 12px;
      display: block;
      max-width: 320px;
    }
    mat-slide-toggle {
      display: block;
      margin: 12px 0;
    }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export default class EventFormPage {
  private readonly api = inject(ApiClient);
  private readonly data = inject(EventsData);
  private readonly router = inject(Router);
  /** Route parameter when editing. */
  readonly eventId = input<string>();

  protected readonly form = newForm();
  protected readonly error = signal('');
  protected readonly busy = signal(false);
  protected readonly message = errorMessage;
  private readonly allZones = timeZones();
  private readonly zoneText = toSignal(this.form.controls.timeZone.valueChanges, { initialValue: this.form.controls.timeZone.value });
  protected readonly zoneOptions = computed(() => {
    const q = this.zoneText().toLowerCase();
    return this.allZones.filter((z) => z.toLowerCase().includes(q)).slice(0, 50);
  });

  protected readonly existing = httpResource<EventResponse>(() => {
    const eventId = this.eventId();
    return eventId ? this.api.url('/api/v1/admin/events/{eventId}', { eventId }) : undefined;
  });

  constructor() {
    effect(() => {
      if (!this.existing.hasValue()) return;
      const e = this.existing.value();
      this.form.patchValue({
        name: e.name,
        description: e.description,
        organizerName: e.organizerName,
        organizerEmail: e.organizerEmail,
        timeZone: e.timeZone,
        startsAt: utcToWallTime(e.startsAt, e.timeZone),
        endsAt: utcToWallTime(e.endsAt, e.timeZone),
        maxTokenCap: e.maxTokenCap,
        dailyRequestCap: e.dailyRequestCap,
        active: e.active,
        registrationMode: e.registration.mode,
        registrationCode: e.registration.code ?? '',
      });
    });
  }

  async save(): Promise<void> {
    this.form.markAllAsTouched();
    const v = this.form.getRawValue();
    if (v.registrationMode === 'code' && v.registrationCode.trim().length < 4) {
      this.form.controls.registrationCode.setErrors({ minlength: true });
    }
    if (this.form.invalid) {
      this.error.set('Some fields need attention.');
      return;
    }
    const startsAt = wallTimeToUtc(v.startsAt, v.timeZone);
    const endsAt = wallTimeToUtc(v.endsAt, v.timeZone);
    if (Date.parse(endsAt) <= Date.parse(startsAt)) {
      this.error.set('The event must end after it starts.');
      return;
    }
    const body = {
      name: v.name.trim(),
      description: v.description,
      organizerName: v.organizerName,
      organizerEmail: v.organizerEmail,
      timeZone: v.timeZone,
      startsAt,
      endsAt,
      maxTokenCap: Number(v.maxTokenCap),
      dailyRequestCap: Number(v.dailyRequestCap),
      active: v.active,
      registration: v.registrationMode === 'code' ? { mode: 'code' as const, code: v.registrationCode.trim() } : { mode: 'open' as const },
    } satisfies CreateEventBody;
    this.busy.set(true);
    this.error.set('');
    try {
      const eventId = this.eventId();
      const saved = eventId ? await this.data.update(eventId, body) : await this.data.create({ ...body, ...(v.id ? { id: v.id } : {}) });
      await this.router.navigate(['/admin/events', saved.id]);
    } catch (err) {
      this.error.set(errorMessage(err));
    } finally {
      this.busy.set(false);
    }
  }
}
