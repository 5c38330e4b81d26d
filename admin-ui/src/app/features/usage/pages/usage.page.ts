import { httpResource } from '@angular/common/http';
import { ChangeDetectionStrategy, Component, computed, effect, inject, signal } from '@angular/core';
import { MatButtonToggleModule } from '@angular/material/button-toggle';
import { MatCardModule } from '@angular/material/card';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { MatSlideToggleModule } from '@angular/material/slide-toggle';
import { MatTableModule } from '@angular/material/table';
import type { ChartConfiguration } from 'chart.js';
import { BaseChartDirective, provideCharts, withDefaultRegisterables } from 'ng2-charts';
import { ApiClient } from '../../../core/api/api-client';
import { errorMessage } from '../../../core/api/api-error';
import type { UsageReport } from '../../../core/api/api-types';
import { formatInZone, formatNumber, formatPercent } from '../../../shared/format';
import { EventContext } from '../../events/data/event-context';
import { valueOf } from '../../../shared/resource-value';
import { capRows, hourlySeries, splitSeries, type SplitSeries } from '../data/usage-series';

type Range = 'all' | '24h' | '1h';
const REFRESH_MS = 5000;
const RANGE_MS: Record<Exclude<Range, 'all'>, number> = { '24h': 24 * 3_600_000, '1h': 3_600_000 };
const BLUE = '#3f6fd8';
const ORANGE = '#e07a1f';
/** Colours for the per-deployment and per-attendee series, reused in turn past ten. */
const PALETTE = ['#3f6fd8', '#e07a1f', '#2e9d5b', '#b3261e', '#8a4fc7', '#0f8b8d', '#c2185b', '#6d6d2c', '#5c6bc0', '#8d6e63'];
type Metric = 'requests' | 'tokens';

@Component({
  selector: 'app-usage-page',
  imports: [MatCardModule, MatTableModule, MatButtonToggleModule, MatSlideToggleModule, MatProgressBarModule, BaseChartDirective],
  providers: [provideCharts(withDefaultRegisterables())],
  template: `
    <div class="row controls">
      <mat-button-toggle-group [value]="range()" (change)="setRange($event.value)" aria-label="Time range" hideSingleSelectionIndicator>
        <mat-button-toggle value="all">Whole event</mat-button-toggle>
        <mat-button-toggle value="24h">Last 24 h</mat-button-toggle>
        <mat-button-toggle value="1h">Last hour</mat-button-toggle>
      </mat-button-toggle-group>
      <span class="spacer"></span>
      @if (live()) {
        <mat-slide-toggle [checked]="auto()" (change)="auto.set($event.checked)">Refresh every {{ refreshSeconds }} s</mat-slide-toggle>
      }
    </div>
    @if (usage.error(); as err) {
      <p class="error-text" role="alert">{{ message(err) }}</p>
    }
    @if (!usage.hasValue() && usage.isLoading()) {
      <mat-progress-bar mode="indeterminate" aria-label="Loading usage" />
    }
    @if (usage.hasValue()) {
      @let u = usage.value();
      <section class="kpis" aria-label="Totals">
        <mat-card appearance="outlined"><mat-card-content><div class="kpi-label">Requests</div><div class="kpi" data-testid="kpi-requests">{{ n(u.totals.requests) }}</div></mat-card-content></mat-card>
        <mat-card appearance="outlined"><mat-card-content><div class="kpi-label">Tokens</div><div class="kpi">{{ n(u.totals.totalTokens) }}</div>
          <div class="muted small">{{ n(u.totals.promptTokens) }} prompt · {{ n(u.totals.completionTokens) }} completion</div></mat-card-content></mat-card>
        <mat-card appearance="outlined"><mat-card-content><div class="kpi-label">Error rate</div><div class="kpi">{{ errorRate() }}</div>
          <div class="muted small">{{ n(u.totals.errors) }} answered with an error (incl. 429)</div></mat-card-content></mat-card>
        <mat-card appearance="outlined"><mat-card-content><div class="kpi-label">429 rate</div><div class="kpi" data-testid="kpi-429">{{ rateLimitedRate() }}</div>
          <div class="muted small">{{ n(u.totals.rateLimited) }} rate limited (backends full or daily cap reached)</div></mat-card-content></mat-card>
        <mat-card appearance="outlined"><mat-card-content><div class="kpi-label">Attendees using it</div><div class="kpi">{{ n(activeAttendees()) }}</div>
          @if (event(); as e) {<div class="muted small">cap {{ n(e.dailyRequestCap) }} requests each per day</div>}</mat-card-content></mat-card>
      </section>

      @if (u.totals.requests === 0) {
        <p class="muted">No requests in this range yet.</p>
      } @else {
        <mat-card appearance="outlined" class="hourly">
          <mat-card-content>
            <h2>Requests and tokens by hour <span class="muted small">({{ zone() }})</span></h2>
            <div class="chart"><canvas baseChart type="bar" [data]="byHour()" [options]="dualAxis" role="img" [attr.aria-label]="hourlyLabel()"></canvas></div>
          </mat-card-content>
        </mat-card>
        <mat-card appearance="outlined" class="hourly">
          <mat-card-content>
            <div class="row split-head">
              <h2>Over time per deployment and per attendee <span class="muted small">({{ zone() }})</span></h2>
              <span class="spacer"></span>
              <mat-button-toggle-group [value]="metric()" (change)="metric.set($event.value)" aria-label="Measure" hideSingleSelectionIndicator>
                <mat-button-toggle value="requests">Requests</mat-button-toggle>
                <mat-button-toggle value="tokens">Tokens</mat-button-toggle>
              </mat-button-toggle-group>
            </div>
            <div class="charts split">
              <div>
                <h3>Per deployment</h3>
                <div class="chart"><canvas baseChart type="bar" [data]="byHourDeployment()" [options]="stacked()" role="img" [attr.aria-label]="splitLabel('deployment', perDeployment())" data-testid="chart-hour-deployment"></canvas></div>
              </div>
              <div>
                <h3>Per attendee <span class="muted small">(top 10 by tokens)</span></h3>
                <div class="chart"><canvas baseChart type="bar" [data]="byHourAttendee()" [options]="stacked()" role="img" [attr.aria-label]="splitLabel('attendee', perAttendee())" data-testid="chart-hour-attendee"></canvas></div>
              </div>
            </div>
          </mat-card-content>
        </mat-card>
        <div class="charts">
          <mat-card appearance="outlined">
            <mat-card-content>
              <h2>Requests and tokens by day</h2>
              <div class="chart"><canvas baseChart type="bar" [data]="byDay()" [options]="dualAxis" role="img" aria-label="Requests and tokens by day"></canvas></div>
            </mat-card-content>
          </mat-card>
          <mat-card appearance="outlined">
            <mat-card-content>
              <h2>By deployment</h2>
              <div class="chart"><canvas baseChart type="bar" [data]="byDeployment()" [options]="dualAxis" role="img" aria-label="Requests and tokens by deployment"></canvas></div>
            </mat-card-content>
          </mat-card>
        </div>
        <section aria-labelledby="dep-title">
          <h2 id="dep-title">Deployments</h2>
          <div class="table-scroll" tabindex="0">
            <table mat-table [dataSource]="u.byDeployment" aria-label="Usage by deployment">
              <ng-container matColumnDef="deployment">
                <th mat-header-cell *matHeaderCellDef>Deployment</th>
                <td mat-cell *matCellDef="let d">{{ d.deployment }}</td>
              </ng-container>
              <ng-container matColumnDef="requests">
                <th mat-header-cell *matHeaderCellDef>Requests</th>
                <td mat-cell *matCellDef="let d">{{ n(d.requests) }}</td>
              </ng-container>
              <ng-container matColumnDef="tokens">
                <th mat-header-cell *matHeaderCellDef>Tokens</th>
                <td mat-cell *matCellDef="let d">{{ n(d.totalTokens) }}</td>
              </ng-container>
              <ng-container matColumnDef="errors">
                <th mat-header-cell *matHeaderCellDef>Errors</th>
                <td mat-cell *matCellDef="let d">{{ n(d.errors) }} ({{ rate(d.errors, d.requests) }})</td>
              </ng-container>
              <ng-container matColumnDef="limited">
                <th mat-header-cell *matHeaderCellDef>429s</th>
                <td mat-cell *matCellDef="let d">{{ n(d.rateLimited) }} ({{ rate(d.rateLimited, d.requests) }})</td>
              </ng-container>
              <tr mat-header-row *matHeaderRowDef="depColumns"></tr>
              <tr mat-row *matRowDef="let row; columns: depColumns"></tr>
            </table>
          </div>
        </section>
        <section aria-labelledby="top-title">
          <h2 id="top-title">Top attendees</h2>
          <div class="table-scroll" tabindex="0">
            <table mat-table [dataSource]="topAttendees()" aria-label="Top attendees by tokens">
              <ng-container matColumnDef="name">
                <th mat-header-cell *matHeaderCellDef>Attendee</th>
                <td mat-cell *matCellDef="let a">{{ a.name ?? '(deleted)' }} <span class="muted small">{{ a.email }}</span></td>
              </ng-container>
              <ng-container matColumnDef="requests">
                <th mat-header-cell *matHeaderCellDef>Requests</th>
                <td mat-cell *matCellDef="let a">{{ n(a.requests) }}</td>
              </ng-container>
              <ng-container matColumnDef="tokens">
                <th mat-header-cell *matHeaderCellDef>Tokens</th>
                <td mat-cell *matCellDef="let a">{{ n(a.totalTokens) }}</td>
              </ng-container>
              <ng-container matColumnDef="errors">
                <th mat-header-cell *matHeaderCellDef>Errors</th>
                <td mat-cell *matCellDef="let a">{{ n(a.errors) }}</td>
              </ng-container>
              <tr mat-header-row *matHeaderRowDef="topColumns"></tr>
              <tr mat-row *matRowDef="let row; columns: topColumns"></tr>
            </table>
          </div>
        </section>
      }
      <section aria-labelledby="today-title" class="today">
        <h2 id="today-title">Today against the daily cap</h2>
        <p class="muted small">
          {{ u.today.day }} in {{ u.today.timeZone }}: {{ n(u.today.dailyRequestCap) }} requests per attendee, resetting at {{ resetsAt() }}.
          Only requests that reached a model count.
        </p>
        @if (caps().length === 0) {
          <p class="muted">Nobody has used a request today.</p>
        } @else {
          <div class="table-scroll" tabindex="0">
            <table mat-table [dataSource]="caps()" aria-label="Today against the daily cap per attendee">
              <ng-container matColumnDef="name">
                <th mat-header-cell *matHeaderCellDef>Attendee</th>
                <td mat-cell *matCellDef="let a">{{ a.name }} <span class="muted small">{{ a.email }}</span></td>
              </ng-container>
              <ng-container matColumnDef="used">
                <th mat-header-cell *matHeaderCellDef>Requests today</th>
                <td mat-cell *matCellDef="let a" class="used-cell">
                  <div class="used-text">{{ n(a.requests) }} of {{ n(u.today.dailyRequestCap) }}</div>
                  <mat-progress-bar
                    mode="determinate"
                    [value]="a.used * 100"
                    [class]="'cap-bar cap-' + a.tone"
                    [attr.aria-label]="a.name + ': ' + a.requests + ' of ' + u.today.dailyRequestCap + ' requests today'"
                  />
                </td>
              </ng-container>
              <ng-container matColumnDef="tokens">
                <th mat-header-cell *matHeaderCellDef>Tokens today</th>
                <td mat-cell *matCellDef="let a">{{ n(a.tokens) }}</td>
              </ng-container>
              <ng-container matColumnDef="left">
                <th mat-header-cell *matHeaderCellDef>Left</th>
                <td mat-cell *matCellDef="let a">
                  @if (a.tone === 'full') {
                    <span class="status status-frozen">cap reached</span>
                  } @else {
                    {{ n(a.remainingRequests) }}
                  }
                </td>
              </ng-container>
              <tr mat-header-row *matHeaderRowDef="capColumns"></tr>
              <tr mat-row *matRowDef="let row; columns: capColumns"></tr>
            </table>
          </div>
        }
      </section>
    }
  `,
  styles: `
    .controls {
      margin-bottom: 16px;
    }
    .kpis {
      display: grid;
      grid-template-columns: repeat(auto-fit, minmax(180px, 1fr));
      gap: 12px;
      margin-bottom: 16px;
    }
    .kpi-label {
      color: var(--mat-sys-on-surface-variant, #44474e);
      font-size: 0.85rem;
    }
    .kpi {
      font-size: 1.8rem;
      font-weight: 500;
    }
    .small {
      font-size: 0.8rem;
    }
    .charts {
      display: grid;
      grid-template-columns: repeat(auto-fit, minmax(320px, 1fr));
      gap: 12px;
      margin-bottom: 16px;
    }
    .chart {
      position: relative;
      height: 260px;
    }
    .hourly {
      margin-bottom: 12px;
    }
    .today {
      margin-top: 16px;
    }
    .split-head {
      align-items: center;
    }
    .split {
      margin-bottom: 0;
    }
    h3 {
      font-size: 0.95rem;
      font-weight: 500;
      margin: 8px 0 4px;
    }
    .used-cell {
      min-width: 160px;
    }
    .used-text {
      font-size: 0.85rem;
      margin-bottom: 2px;
    }
    .cap-bar {
      max-width: 220px;
    }
    .cap-warn {
      --mat-progress-bar-active-indicator-color: #b26a00;
    }
    .cap-full {
      --mat-progress-bar-active-indicator-color: #b3261e;
    }
    h2 {
      font-size: 1.05rem;
      font-weight: 500;
      margin: 8px 0;
    }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export default class UsagePage {
  private readonly api = inject(ApiClient);
  protected readonly ctx = inject(EventContext);
  protected readonly message = errorMessage;
  protected readonly n = formatNumber;
  protected readonly refreshSeconds = REFRESH_MS / 1000;
  protected readonly depColumns = ['deployment', 'requests', 'tokens', 'errors', 'limited'];
  protected readonly capColumns = ['name', 'used', 'tokens', 'left'];
  protected readonly topColumns = ['name', 'requests', 'tokens', 'errors'];
  protected readonly range = signal<Range>('all');
  protected readonly auto = signal(true);
  protected readonly metric = signal<Metric>('requests');
  protected readonly event = computed(() => valueOf(this.ctx.event));
  protected readonly live = computed(() => valueOf(this.ctx.event)?.status === 'live');

  protected readonly usage = httpResource<UsageReport>(() => {
    const eventId = this.ctx.eventId();
    if (!eventId) return undefined;
    const range = this.range();
    const from = range === 'all' ? undefined : new Date(Date.now() - RANGE_MS[range]).toISOString();
    return this.api.url('/api/v1/admin/events/{eventId}/usage', { eventId }, { from });
  });

  protected readonly errorRate = computed(() => {
    const t = valueOf(this.usage)?.totals;
    return t ? this.rate(t.errors, t.requests) : '—';
  });
  protected readonly rateLimitedRate = computed(() => {
    const t = valueOf(this.usage)?.totals;
    return t ? this.rate(t.rateLimited, t.requests) : '—';
  });
  protected readonly zone = computed(() => valueOf(this.usage)?.today.timeZone ?? valueOf(this.ctx.event)?.timeZone ?? 'UTC');
  private readonly hourly = computed(() => {
    const u = valueOf(this.usage);
    // A live view reaches up to now, so a quiet last hour shows as a zero rather than not at all.
    return hourlySeries(u?.byHour ?? [], this.zone(), this.live() ? Date.now() : undefined);
  });
  protected readonly byHour = computed<ChartConfiguration<'bar'>['data']>(() => {
    const h = this.hourly();
    return this.dual(h.labels, h.requests, h.tokens);
  });
  protected readonly hourlyLabel = computed(() => {
    const h = this.hourly();
    const busiest = h.requests.reduce((best, r, i) => (r > (h.requests[best] ?? -1) ? i : best), 0);
    return h.labels.length
      ? `Requests and tokens per hour over ${h.labels.length} hours; the busiest, ${h.labels[busiest]}, had ${h.requests[busiest]} requests`
      : 'No requests by hour';
  });
  protected readonly perDeployment = computed(() => {
    const rows = valueOf(this.usage)?.series.byHourDeployment ?? [];
    return splitSeries(rows, (r) => r.deployment, (r) => r.deployment, this.zone(), this.live() ? Date.now() : undefined);
  });
  protected readonly perAttendee = computed(() => {
    const rows = valueOf(this.usage)?.series.byHourAttendee ?? [];
    return splitSeries(rows, (r) => r.attendeeId, (r) => r.name ?? '(deleted)', this.zone(), this.live() ? Date.now() : undefined);
  });
  protected readonly byHourDeployment = computed(() => this.stackedData(this.perDeployment(), this.metric()));
  protected readonly byHourAttendee = computed(() => this.stackedData(this.perAttendee(), this.metric()));
  protected readonly stacked = computed<ChartConfiguration<'bar'>['options']>(() => ({
    responsive: true,
    maintainAspectRatio: false,
    animation: false,
    scales: {
      x: { stacked: true },
      y: { stacked: true, beginAtZero: true, ticks: { precision: 0 }, title: { display: true, text: this.metric() === 'requests' ? 'Requests' : 'Tokens' } },
    },
  }));
  protected readonly caps = computed(() => {
    const today = valueOf(this.usage)?.today;
    return today ? capRows(today) : [];
  });
  protected readonly resetsAt = computed(() => {
    const today = valueOf(this.usage)?.today;
    return today ? formatInZone(today.resetsAt, today.timeZone, false) : '';
  });
  protected readonly activeAttendees = computed(() => valueOf(this.usage)?.byAttendee.filter((a) => a.attendeeId).length ?? 0);
  protected readonly topAttendees = computed(() =>
    [...(valueOf(this.usage)?.byAttendee ?? [])].sort((a, b) => b.totalTokens - a.totalTokens).slice(0, 10),
  );

  protected readonly byDay = computed<ChartConfiguration<'bar'>['data']>(() => {
    const days = valueOf(this.usage)?.byDay ?? [];
    return this.dual(days.map((d) => d.day), days.map((d) => d.requests), days.map((d) => d.totalTokens));
  });
  protected readonly byDeployment = computed<ChartConfiguration<'bar'>['data']>(() => {
    const deps = valueOf(this.usage)?.byDeployment ?? [];
    return this.dual(deps.map((d) => d.deployment), deps.map((d) => d.requests), deps.map((d) => d.totalTokens));
  });

  protected readonly dualAxis: ChartConfiguration<'bar'>['options'] = {
    responsive: true,
    maintainAspectRatio: false,
    animation: false,
    scales: {
      y: { beginAtZero: true, ticks: { precision: 0 }, title: { display: true, text: 'Requests' } },
      y1: { beginAtZero: true, ticks: { precision: 0 }, position: 'right', grid: { drawOnChartArea: false }, title: { display: true, text: 'Tokens' } },
    },
  };

  constructor() {
    // Live events refresh on their own; ended or upcoming ones do not change.
    effect((onCleanup) => {
      if (!this.live() || !this.auto()) return;
      const timer = setInterval(() => this.usage.reload(), REFRESH_MS);
      onCleanup(() => clearInterval(timer));
    });
  }

  setRange(range: Range): void {
    this.range.set(range);
  }

  rate(errors: number, requests: number): string {
    return requests ? formatPercent(errors / requests) : '—';
  }

  splitLabel(what: string, s: SplitSeries): string {
    const metric = this.metric() === 'requests' ? 'Requests' : 'Tokens';
    return s.series.length
      ? `${metric} per hour per ${what} over ${s.labels.length} hours: ${s.series.map((x) => x.name).join(', ')}`
      : `No ${metric.toLowerCase()} per ${what}`;
  }

  private stackedData(s: SplitSeries, metric: Metric): ChartConfiguration<'bar'>['data'] {
    return {
      labels: s.labels,
      datasets: s.series.map((x, i) => ({
        label: x.name,
        data: metric === 'requests' ? x.requests : x.tokens,
        backgroundColor: PALETTE[i % PALETTE.length],
        stack: 'all',
        maxBarThickness: 48,
      })),
    };
  }

  private dual(labels: string[], requests: number[], tokens: number[]): ChartConfiguration<'bar'>['data'] {
    return {
      labels,
      datasets: [
        { label: 'Requests', data: requests, backgroundColor: BLUE, yAxisID: 'y', maxBarThickness: 48 },
        { label: 'Tokens', data: tokens, backgroundColor: ORANGE, yAxisID: 'y1', maxBarThickness: 48 },
      ],
    };
  }
}
