import { httpResource } from '@angular/common/http';
import { ChangeDetectionStrategy, Component, computed, DestroyRef, inject, signal } from '@angular/core';
import { FormControl, ReactiveFormsModule } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatIconModule } from '@angular/material/icon';
import { MatSelectModule } from '@angular/material/select';
import { MatTableModule } from '@angular/material/table';
import { RouterLink } from '@angular/router';
import { ApiClient } from '../../../core/api/api-client';
import { errorMessage } from '../../../core/api/api-error';
import type { DeploymentHealth, DeploymentsHealth, ResourceList, ResourceResponse } from '../../../core/api/api-types';
import { formatNumber } from '../../../shared/format';
import { injectNow } from '../../../shared/now';
import { valueOf } from '../../../shared/resource-value';
import { healthChips, HealthChip, healthSummary } from '../data/deployment-health';
import { EventContext } from '../data/event-context';
import { EventsData } from '../data/events.data';

const HEALTH_REFRESH_MS = 5000;

@Component({
  selector: 'app-event-deployments-page',
  imports: [ReactiveFormsModule, RouterLink, MatTableModule, MatButtonModule, MatIconModule, MatFormFieldModule, MatSelectModule],
  template: `
    <section aria-labelledby="attached-title">
      <h2 id="attached-title">Attached deployments</h2>
      @if (error()) {
        <p class="error-text" role="alert">{{ error() }}</p>
      }
      @if (attached.hasValue()) {
        @if (attached.value().length > 0) {
          <div class="row health-line" aria-live="polite">
            @if (summary(); as text) {
              <span data-testid="health-summary">{{ text }}</span>
            }
            <span class="spacer"></span>
            <span class="muted small">Health as this server sees it, refreshed every {{ refreshSeconds }} s</span>
            <button mat-button type="button" (click)="health.reload()"><mat-icon svgIcon="refresh" aria-hidden="true" />Refresh</button>
          </div>
        }
        @if (attached.value().length === 0) {
          <p class="muted">Nothing attached yet: attendees have no models to call. Attach a resource below.</p>
        } @else {
          <div class="table-scroll" tabindex="0">
            <table mat-table [dataSource]="attached.value()" aria-label="Attached deployments">
              <ng-container matColumnDef="deployment">
                <th mat-header-cell *matHeaderCellDef>Deployment</th>
                <td mat-cell *matCellDef="let r">
                  <strong>{{ r.deploymentName }}</strong>
                  <div class="muted small">{{ r.name }}</div>
                </td>
              </ng-container>
              <ng-container matColumnDef="class">
                <th mat-header-cell *matHeaderCellDef>Model class</th>
                <td mat-cell *matCellDef="let r">{{ r.modelClass }}</td>
              </ng-container>
              <ng-container matColumnDef="upstream">
                <th mat-header-cell *matHeaderCellDef>Upstream</th>
                <td mat-cell *matCellDef="let r">{{ r.upstream }}</td>
              </ng-container>
              <ng-container matColumnDef="limits">
                <th mat-header-cell *matHeaderCellDef>Limits</th>
                <td mat-cell *matCellDef="let r">{{ n(r.tokensPerMinute) }} TPM · {{ n(r.requestsPerMinute) }} RPM</td>
              </ng-container>
              <ng-container matColumnDef="state">
                <th mat-header-cell *matHeaderCellDef>State</th>
                <td mat-cell *matCellDef="let r">
                  <span class="status" [class]="r.active ? 'status status-live' : 'status status-frozen'">{{ r.active ? 'active' : 'off' }}</span>
                </td>
              </ng-container>
              <ng-container matColumnDef="health">
                <th mat-header-cell *matHeaderCellDef>Health</th>
                <td mat-cell *matCellDef="let r">
                  <div class="chips" [attr.data-testid]="'health-' + r.name">
                    @if (healthOf(r.id); as h) {
                      @for (c of chips(h); track c.label) {
                        <span class="chip" [class]="'chip tone-' + c.tone" [title]="c.description">
                          {{ c.label }}<span class="visually-hidden">: {{ c.description }}</span>
                        </span>
                      }
                    } @else {
                      <span class="muted small">—</span>
                    }
                  </div>
                </td>
              </ng-container>
              <ng-container matColumnDef="actions">
                <th mat-header-cell *matHeaderCellDef><span class="visually-hidden">Actions</span></th>
                <td mat-cell *matCellDef="let r">
                  <button mat-button type="button" (click)="detach(r)" [attr.aria-label]="'Detach ' + r.name">
                    <mat-icon svgIcon="link_off" aria-hidden="true" />Detach
                  </button>
                </td>
              </ng-container>
              <tr mat-header-row *matHeaderRowDef="columns"></tr>
              <tr mat-row *matRowDef="let row; columns: columns"></tr>
            </table>
          </div>
        }
      }
    </section>
    <section aria-labelledby="attach-title" class="attach">
      <h2 id="attach-title">Attach a resource</h2>
      @if (available().length === 0) {
        <p class="muted">
          Every resource is attached already. <a routerLink="/admin/resources/new">Create a resource</a> to add another backend.
        </p>
      } @else {
        <div class="row">
          <mat-form-field appearance="outline">
            <mat-label>Resource</mat-label>
            <mat-select [formControl]="choice">
              @for (r of available(); track r.id) {
                <mat-option [value]="r.id">{{ r.name }} ({{ r.deploymentName }})</mat-option>
              }
            </mat-select>
          </mat-form-field>
          <button mat-flat-button type="button" (click)="attach()" [disabled]="!choice.value">
            <mat-icon svgIcon="link" aria-hidden="true" />Attach
          </button>
          <a mat-button routerLink="/admin/resources/new">New resource</a>
        </div>
      }
    </section>
  `,
  styles: `
    h2 {
      font-size: 1.1rem;
      font-weight: 500;
    }
    .small {
      font-size: 0.8rem;
    }
    .attach {
      margin-top: 24px;
    }
    mat-form-field {
      min-width: 280px;
    }
    .health-line {
      margin-bottom: 8px;
    }
    .chips {
      display: flex;
      flex-wrap: wrap;
      gap: 4px;
      max-width: 260px;
      padding: 6px 0;
    }
    .chip {
      display: inline-block;
      padding: 2px 10px;
      border-radius: 12px;
      font-size: 0.8rem;
      font-weight: 500;
      white-space: nowrap;
    }
    .tone-ok {
      background: #c4eed0;
      color: #0a3818;
    }
    .tone-warn {
      background: #ffe08a;
      color: #3d2e00;
    }
    .tone-error {
      background: #ffdad6;
      color: #410002;
    }
    .tone-off {
      background: #e3e3e3;
      color: #303030;
    }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export default class EventDeploymentsPage {
  private readonly api = inject(ApiClient);
  private readonly ctx = inject(EventContext);
  private readonly data = inject(EventsData);
  protected readonly columns = ['deployment', 'class', 'upstream', 'limits', 'state', 'health', 'actions'];
  protected readonly refreshSeconds = HEALTH_REFRESH_MS / 1000;
  private readonly now = injectNow(1000);
  protected readonly n = formatNumber;
  protected readonly error = signal('');
  protected readonly choice = new FormControl('', { nonNullable: true });

  protected readonly attached = httpResource<ResourceResponse[]>(() => {
    const eventId = this.ctx.eventId();
    return eventId ? this.api.url('/api/v1/admin/events/{eventId}/resources', { eventId }) : undefined;
  });
  protected readonly health = httpResource<DeploymentsHealth>(() => {
    const eventId = this.ctx.eventId();
    return eventId ? this.api.url('/api/v1/admin/events/{eventId}/deployments/health', { eventId }) : undefined;
  });
  private readonly healthById = computed(() => new Map((valueOf(this.health)?.items ?? []).map((h) => [h.resourceId, h])));
  protected readonly summary = computed(() => {
    const items = valueOf(this.health)?.items;
    if (!items || items.length === 0) return undefined;
    const { open, cooling, healthy } = healthSummary(items, this.now());
    if (open + cooling + healthy === 0) return 'No attached deployment is switched on.';
    if (open === 0 && cooling === 0) return healthy === 1 ? 'The active deployment is taking requests.' : `All ${healthy} active deployments are taking requests.`;
    const parts = [open ? `${open} resting with the breaker open` : '', cooling ? `${cooling} cooling after a 429` : '', `${healthy} taking requests`];
    return parts.filter(Boolean).join(', ') + '.';
  });
  protected readonly all = httpResource<ResourceList>(() => this.api.url('/api/v1/admin/resources'));
  protected readonly available = computed(() => {
    if (!this.all.hasValue() || !this.attached.hasValue()) return [];
    const taken = new Set(this.attached.value().map((r) => r.id));
    return this.all.value().items.filter((r) => !taken.has(r.id));
  });

  constructor() {
    // Cooldowns and breakers change by the second; the answer is cheap (memory only).
    const timer = setInterval(() => this.health.reload(), HEALTH_REFRESH_MS);
    inject(DestroyRef).onDestroy(() => clearInterval(timer));
  }

  protected healthOf(resourceId: string): DeploymentHealth | undefined {
    return this.healthById().get(resourceId);
  }

  protected chips(h: DeploymentHealth): HealthChip[] {
    return healthChips(h, this.now(), valueOf(this.ctx.event)?.timeZone ?? 'UTC');
  }

  async attach(): Promise<void> {
    const eventId = this.ctx.eventId();
    if (!eventId || !this.choice.value) return;
    await this.run(() => this.data.attach(eventId, this.choice.value));
    this.choice.setValue('');
  }

  async detach(r: ResourceResponse): Promise<void> {
    const eventId = this.ctx.eventId();
    if (eventId) await this.run(() => this.data.detach(eventId, r.id));
  }

  private async run(action: () => Promise<unknown>): Promise<void> {
    this.error.set('');
    try {
      await action();
      this.attached.reload();
      this.health.reload();
    } catch (err) {
      this.error.set(errorMessage(err));
    }
  }
}
