import { httpResource } from '@angular/common/http';
import { ChangeDetectionStrategy, Component, computed, effect, inject, signal } from '@angular/core';
import { toSignal } from '@angular/core/rxjs-interop';
import { FormControl, FormGroup, ReactiveFormsModule, Validators } from '@angular/forms';
import { MatCardModule } from '@angular/material/card';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { ApiClient } from '../../../core/api/api-client';
import type { ModelClass, ResourceResponse, UsageReport } from '../../../core/api/api-types';
import { formatNumber, formatPercent } from '../../../shared/format';
import { EventContext } from '../../events/data/event-context';
import { liveHeadroom, planCapacity, sumSupply, type Verdict } from '../data/capacity';
import { valueOf } from '../../../shared/resource-value';

const LIVE_WINDOW_MIN = 5;
/** Deployments metered in tokens per minute; image, audio and search quotas are counted differently. */
const TOKEN_CLASSES = new Set<ModelClass>(['openai-chat', 'openai-completions', 'openai-responses', 'azure-ai-inference']);
const VERDICT_LABEL: Record<Verdict, string> = { ok: 'Enough capacity', tight: 'Tight', over: 'Not enough capacity', unknown: 'Cannot tell' };

@Component({
  selector: 'app-capacity-page',
  imports: [ReactiveFormsModule, MatCardModule, MatFormFieldModule, MatInputModule],
  template: `
    <p class="muted">
      Peak demand (attendees × requests per minute × tokens per request) against the summed TPM and RPM quotas of the
      event's active chat, completions and responses deployments.
    </p>
    <form [formGroup]="form" class="form-grid inputs">
      <mat-form-field appearance="outline">
        <mat-label>Expected attendees</mat-label>
        <input matInput type="number" min="0" formControlName="attendees" />
      </mat-form-field>
      <mat-form-field appearance="outline">
        <mat-label>Requests per attendee per minute</mat-label>
        <input matInput type="number" min="0" step="0.5" formControlName="requestsPerMinute" />
      </mat-form-field>
      <mat-form-field appearance="outline">
        <mat-label>Tokens per request</mat-label>
        <input matInput type="number" min="0" formControlName="tokensPerRequest" />
      </mat-form-field>
    </form>
    @let p = plan();
    <mat-card appearance="outlined" class="verdict" [class]="'verdict verdict-' + p.verdict" role="status">
      <mat-card-content>
        <h2>{{ label(p.verdict) }}</h2>
        <p>{{ p.summary }}</p>
        @if (p.supply.unknown.length) {
          <p class="small">Without TPM/RPM set (not counted): {{ p.supply.unknown.join(', ') }}.</p>
        }
      </mat-card-content>
    </mat-card>
    <div class="figures">
      <div><div class="muted small">Peak demand</div><strong>{{ n(p.demandTpm) }} TPM · {{ n(p.demandRpm) }} RPM</strong></div>
      <div><div class="muted small">Quota of attached deployments</div><strong>{{ n(p.supply.tpm) }} TPM · {{ n(p.supply.rpm) }} RPM</strong></div>
      <div><div class="muted small">Share of quota at peak</div><strong>{{ p.utilisation === null ? '—' : pct(p.utilisation) }}</strong></div>
      <div><div class="muted small">Attendees these quotas carry</div><strong>{{ n(p.maxAttendees) }}</strong></div>
    </div>
    @if (live(); as l) {
      <mat-card appearance="outlined" class="live">
        <mat-card-content>
          <h2>Live headroom (last {{ windowMin }} minutes)</h2>
          <p>Using {{ n(l.usedTpm) }} TPM and {{ n(l.usedRpm) }} RPM{{ l.utilisation === null ? '' : ' (' + pct(l.utilisation) + ' of the quota)' }}. Free: {{ n(l.freeTpm) }} TPM · {{ n(l.freeRpm) }} RPM.</p>
        </mat-card-content>
      </mat-card>
    }
  `,
  styles: `
    .inputs {
      max-width: 900px;
    }
    .verdict {
      margin: 8px 0 16px;
      border-left: 6px solid #888;
    }
    .verdict-ok {
      border-left-color: #1e8e3e;
    }
    .verdict-tight {
      border-left-color: #e37400;
    }
    .verdict-over {
      border-left-color: #d93025;
    }
    h2 {
      font-size: 1.15rem;
      font-weight: 500;
      margin: 4px 0 8px;
    }
    .figures {
      display: grid;
      grid-template-columns: repeat(auto-fit, minmax(200px, 1fr));
      gap: 12px;
      margin-bottom: 16px;
    }
    .small {
      font-size: 0.85rem;
    }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export default class CapacityPage {
  private readonly api = inject(ApiClient);
  private readonly ctx = inject(EventContext);
  protected readonly n = formatNumber;
  protected readonly pct = formatPercent;
  protected readonly windowMin = LIVE_WINDOW_MIN;

  protected readonly form = new FormGroup({
    attendees: new FormControl(100, { nonNullable: true, validators: [Validators.min(0)] }),
    requestsPerMinute: new FormControl(2, { nonNullable: true, validators: [Validators.min(0)] }),
    tokensPerRequest: new FormControl(800, { nonNullable: true, validators: [Validators.min(0)] }),
  });
  private readonly input = toSignal(this.form.valueChanges, { initialValue: this.form.getRawValue() });

  private readonly deployments = httpResource<ResourceResponse[]>(() => {
    const eventId = this.ctx.eventId();
    return eventId ? this.api.url('/api/v1/admin/events/{eventId}/resources', { eventId }) : undefined;
  });
  private readonly limits = computed(() =>
    (valueOf(this.deployments) ?? []).filter((d) => TOKEN_CLASSES.has(d.modelClass)).map((d) => ({
      name: d.deploymentName,
      tokensPerMinute: d.tokensPerMinute,
      requestsPerMinute: d.requestsPerMinute,
      active: d.active,
    })),
  );

  protected readonly plan = computed(() => {
    const v = this.input();
    return planCapacity(
      { attendees: Number(v.attendees ?? 0), requestsPerMinute: Number(v.requestsPerMinute ?? 0), tokensPerRequest: Number(v.tokensPerRequest ?? 0) },
      this.limits(),
    );
  });

  private readonly since = signal(new Date(Date.now() - LIVE_WINDOW_MIN * 60_000).toISOString());
  private readonly recent = httpResource<UsageReport>(() => {
    const eventId = this.ctx.eventId();
    if (!eventId || valueOf(this.ctx.event)?.status !== 'live') return undefined;
    return this.api.url('/api/v1/admin/events/{eventId}/usage', { eventId }, { from: this.since() });
  });
  protected readonly live = computed(() => {
    const r = valueOf(this.recent);
    return r ? liveHeadroom(sumSupply(this.limits()), { requests: r.totals.requests, tokens: r.totals.totalTokens, minutes: LIVE_WINDOW_MIN }) : null;
  });

  constructor() {
    effect((onCleanup) => {
      if (valueOf(this.ctx.event)?.status !== 'live') return;
      const timer = setInterval(() => this.since.set(new Date(Date.now() - LIVE_WINDOW_MIN * 60_000).toISOString()), 10_000);
      onCleanup(() => clearInterval(timer));
    });
  }

  label(v: Verdict): string {
    return VERDICT_LABEL[v];
  }
}
