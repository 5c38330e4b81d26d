import { httpResource } from '@angular/common/http';
import { ChangeDetectionStrategy, Component, computed, effect, inject, input, signal } from '@angular/core';
import { takeUntilDestroyed, toSignal } from '@angular/core/rxjs-interop';
import { AbstractControl, FormArray, FormControl, FormGroup, ReactiveFormsModule, ValidationErrors, Validators } from '@angular/forms';
import { MatAutocompleteModule } from '@angular/material/autocomplete';
import { MatButtonModule } from '@angular/material/button';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatIconModule } from '@angular/material/icon';
import { MatInputModule } from '@angular/material/input';
import { MatRadioModule } from '@angular/material/radio';
import { MatSlideToggleModule } from '@angular/material/slide-toggle';
import { Router, RouterLink } from '@angular/router';
import { ApiClient } from '../../../core/api/api-client';
import { errorMessage } from '../../../core/api/api-error';
import type { CreateEventBody, EventResponse, ResourceList, ResourceResponse } from '../../../core/api/api-types';
import { valueOf } from '../../../shared/resource-value';
import { isTimeZone, timeZones, utcToWallTime, wallTimeToUtc } from '../../../shared/zoned-time';
import { EventsData } from '../data/events.data';
import { AliasRow, aliasesFromRows, aliasRows } from '../data/model-aliases';

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
    // Token budgets: empty means unlimited.
    attendeeTokensPerMinute: new FormControl<number | null>(null, { validators: [Validators.min(1), Validators.max(1_000_000_000)] }),
    attendeeTokensPerDay: new FormControl<number | null>(null, { validators: [Validators.min(1), Validators.max(1_000_000_000)] }),
    eventTokensPerMinute: new FormControl<number | null>(null, { validators: [Validators.min(1), Validators.max(1_000_000_000)] }),
    eventTokensPerDay: new FormControl<number | null>(null, { validators: [Validators.min(1), Validators.max(1_000_000_000)] }),
    active: new FormControl(true, { nonNullable: true }),
    registrationMode: new FormControl<'open' | 'code' | 'github'>('open', { nonNullable: true }),
    registrationCode: new FormControl('', { nonNullable: true, validators: [Validators.minLength(4), Validators.maxLength(128)] }),
    aliases: new FormArray<ReturnType<typeof aliasGroup>>([]),
  });
}

/** An emptied number input gives null (or ''): no limit. */
function budget(value: number | string | null): number | null {
  return value === null || value === '' ? null : Number(value);
}

function aliasGroup(row: AliasRow = { alias: '', deployment: '' }) {
  return new FormGroup({
    alias: new FormControl(row.alias, { nonNullable: true, validators: [Validators.maxLength(128)] }),
    deployment: new FormControl(row.deployment, { nonNullable: true, validators: [Validators.maxLength(128)] }),
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
    MatIconModule,
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
          <legend>Token budgets</legend>
          <p class="muted small hint">
            Prompt and completion tokens; each request reserves its prompt plus max_tokens until its answer ends. Leave empty for no limit.
          </p>
          <div class="form-grid">
            <mat-form-field appearance="outline">
              <mat-label>Per attendee per minute</mat-label>
              <input matInput type="number" min="1" formControlName="attendeeTokensPerMinute" />
              <mat-error>Between 1 and 1,000,000,000, or empty.</mat-error>
            </mat-form-field>
            <mat-form-field appearance="outline">
              <mat-label>Per attendee per day</mat-label>
              <input matInput type="number" min="1" formControlName="attendeeTokensPerDay" />
              <mat-error>Between 1 and 1,000,000,000, or empty.</mat-error>
            </mat-form-field>
            <mat-form-field appearance="outline">
              <mat-label>Whole event per minute</mat-label>
              <input matInput type="number" min="1" formControlName="eventTokensPerMinute" />
              <mat-error>Between 1 and 1,000,000,000, or empty.</mat-error>
            </mat-form-field>
            <mat-form-field appearance="outline">
              <mat-label>Whole event per day</mat-label>
              <input matInput type="number" min="1" formControlName="eventTokensPerDay" />
              <mat-error>Between 1 and 1,000,000,000, or empty.</mat-error>
            </mat-form-field>
          </div>
        </fieldset>

        <fieldset>
          <legend>Registration</legend>
          <mat-radio-group formControlName="registrationMode" aria-label="Registration mode" class="row">
            <mat-radio-button value="open">Open to anyone with the link</mat-radio-button>
            <mat-radio-button value="code">Needs a code</mat-radio-button>
            <mat-radio-button value="github">Sign in with GitHub</mat-radio-button>
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

        <fieldset formArrayName="aliases">
          <legend>Model aliases</legend>
          <p class="muted small hint">
            A client asking for a model name gets the deployment it maps to, e.g. <code>gpt-4o</code> → <code>gpt-4o-eu</code>, so code written
            for OpenAI runs unchanged.
          </p>
          @for (row of form.controls.aliases.controls; track row; let i = $index) {
            <div class="alias-row" [formGroupName]="i" role="group" [attr.aria-label]="'Alias ' + (i + 1)">
              <mat-form-field appearance="outline">
                <mat-label>Model name clients send</mat-label>
                <input matInput formControlName="alias" placeholder="gpt-4o" />
                <mat-error>{{ aliasError(i, 'alias') }}</mat-error>
              </mat-form-field>
              <span class="arrow" aria-hidden="true">→</span>
              <mat-form-field appearance="outline">
                <mat-label>Deployment</mat-label>
                <input matInput formControlName="deployment" [matAutocomplete]="deployments" placeholder="gpt-4o-eu" />
                <mat-error>{{ aliasError(i, 'deployment') }}</mat-error>
              </mat-form-field>
              <button mat-icon-button type="button" (click)="removeAlias(i)" [attr.aria-label]="'Remove alias ' + (i + 1)">
                <mat-icon svgIcon="delete" aria-hidden="true" />
              </button>
            </div>
          }
          <mat-autocomplete #deployments="matAutocomplete">
            @for (d of deploymentNames(); track d) {
              <mat-option [value]="d">{{ d }}</mat-option>
            }
          </mat-autocomplete>
          <button mat-stroked-button type="button" class="add-alias" (click)="addAlias()"><mat-icon svgIcon="add" aria-hidden="true" />Add alias</button>
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
    .hint {
      margin: 4px 0 8px;
      font-size: 0.85rem;
    }
    .alias-row {
      display: flex;
      flex-wrap: wrap;
      align-items: flex-start;
      gap: 0 8px;
    }
    .alias-row mat-form-field {
      flex: 1 1 220px;
    }
    .arrow {
      padding-top: 24px;
    }
    .alias-row button {
      margin-top: 12px;
    }
    .add-alias {
      margin: 4px 0 12px;
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

  /** Deployment names to offer: the event's attached ones when editing, every resource's when creating. */
  private readonly attached = httpResource<ResourceResponse[]>(() => {
    const eventId = this.eventId();
    return eventId ? this.api.url('/api/v1/admin/events/{eventId}/resources', { eventId }) : undefined;
  });
  private readonly allResources = httpResource<ResourceList>(() => (this.eventId() ? undefined : this.api.url('/api/v1/admin/resources')));
  protected readonly deploymentNames = computed(() => {
    const resources = this.eventId() ? (valueOf(this.attached) ?? []) : (valueOf(this.allResources)?.items ?? []);
    return [...new Set(resources.map((r) => r.deploymentName))].sort();
  });
  private readonly aliasProblem = signal<{ row: number; field: keyof AliasRow; message: string } | null>(null);

  constructor() {
    // A problem with the aliases is stale once they change; the next save checks again.
    this.form.controls.aliases.valueChanges.pipe(takeUntilDestroyed()).subscribe(() => {
      if (!this.aliasProblem()) return;
      this.aliasProblem.set(null);
      if (this.error().startsWith('Model aliases:')) this.error.set('');
    });
    effect(() => {
      if (!this.existing.hasValue()) return;
      const e = this.existing.value();
      const aliases = this.form.controls.aliases;
      aliases.clear();
      for (const row of aliasRows(e.modelAliases)) aliases.push(aliasGroup(row));
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
        attendeeTokensPerMinute: e.attendeeTokensPerMinute,
        attendeeTokensPerDay: e.attendeeTokensPerDay,
        eventTokensPerMinute: e.eventTokensPerMinute,
        eventTokensPerDay: e.eventTokensPerDay,
        active: e.active,
        registrationMode: e.registration.mode,
        registrationCode: e.registration.code ?? '',
      });
    });
  }

  protected addAlias(): void {
    this.form.controls.aliases.push(aliasGroup());
  }

  protected removeAlias(index: number): void {
    this.form.controls.aliases.removeAt(index);
    this.aliasProblem.set(null);
  }

  protected aliasError(row: number, field: keyof AliasRow): string {
    const control = this.form.controls.aliases.at(row)?.controls[field];
    if (control?.hasError('maxlength')) return 'At most 128 characters.';
    const problem = this.aliasProblem();
    return problem && problem.row === row && problem.field === field ? problem.message : '';
  }

  async save(): Promise<void> {
    this.form.markAllAsTouched();
    const v = this.form.getRawValue();
    if (v.registrationMode === 'code' && v.registrationCode.trim().length < 4) {
      this.form.controls.registrationCode.setErrors({ minlength: true });
    }
    const aliases = aliasesFromRows(v.aliases);
    this.aliasProblem.set(aliases.ok ? null : aliases);
    if (!aliases.ok) this.form.controls.aliases.at(aliases.row).controls[aliases.field].setErrors({ alias: true });
    if (this.form.invalid || !aliases.ok) {
      this.error.set(aliases.ok ? 'Some fields need attention.' : `Model aliases: ${aliases.message}`);
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
      attendeeTokensPerMinute: budget(v.attendeeTokensPerMinute),
      attendeeTokensPerDay: budget(v.attendeeTokensPerDay),
      eventTokensPerMinute: budget(v.eventTokensPerMinute),
      eventTokensPerDay: budget(v.eventTokensPerDay),
      active: v.active,
      registration: v.registrationMode === 'code' ? { mode: 'code' as const, code: v.registrationCode.trim() } : { mode: v.registrationMode },
      modelAliases: aliases.aliases,
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
