import { httpResource } from '@angular/common/http';
import { ChangeDetectionStrategy, Component, inject } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MatIconModule } from '@angular/material/icon';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { MatTableModule } from '@angular/material/table';
import { RouterLink } from '@angular/router';
import { ApiClient } from '../../../core/api/api-client';
import { errorMessage } from '../../../core/api/api-error';
import type { ResourceList, UpstreamKind } from '../../../core/api/api-types';
import { formatNumber } from '../../../shared/format';
import { ConnectionTests, summarize } from '../data/connection-tests';
import { UPSTREAM_LABELS } from '../data/resource-options';

@Component({
  selector: 'app-resources-list-page',
  imports: [RouterLink, MatTableModule, MatButtonModule, MatIconModule, MatProgressBarModule],
  template: `
    <div class="page">
      <header class="page-header">
        <h1>Resources</h1>
        <a mat-flat-button routerLink="new"><mat-icon svgIcon="add" aria-hidden="true" />New resource</a>
      </header>
      <p class="muted">Backends (Azure OpenAI deployments, OpenAI-compatible servers or the built-in simulator) that events can use.</p>
      @if (resources.isLoading()) {
        <mat-progress-bar mode="indeterminate" aria-label="Loading resources" />
      }
      @if (resources.error(); as err) {
        <p class="error-text" role="alert">{{ message(err) }}</p>
      }
      @if (resources.hasValue()) {
        @if (resources.value().items.length === 0) {
          <p>No resources yet.</p>
        } @else {
          <div class="table-scroll" tabindex="0">
            <table mat-table [dataSource]="resources.value().items" aria-label="Resources">
              <ng-container matColumnDef="name">
                <th mat-header-cell *matHeaderCellDef>Name</th>
                <td mat-cell *matCellDef="let r"><a [routerLink]="[r.id]">{{ r.name }}</a></td>
              </ng-container>
              <ng-container matColumnDef="deployment">
                <th mat-header-cell *matHeaderCellDef>Deployment</th>
                <td mat-cell *matCellDef="let r">
                  <code>{{ r.deploymentName }}</code>
                  <div class="muted small">{{ r.modelClass }}</div>
                </td>
              </ng-container>
              <ng-container matColumnDef="upstream">
                <th mat-header-cell *matHeaderCellDef>Upstream</th>
                <td mat-cell *matCellDef="let r">
                  {{ upstreamLabel(r.upstream) }}
                  <div class="muted small">{{ r.endpointUrl }}</div>
                </td>
              </ng-container>
              <ng-container matColumnDef="key">
                <th mat-header-cell *matHeaderCellDef>Key</th>
                <td mat-cell *matCellDef="let r">{{ r.hasApiKey ? r.apiKeyHint : 'none' }}</td>
              </ng-container>
              <ng-container matColumnDef="limits">
                <th mat-header-cell *matHeaderCellDef>TPM / RPM</th>
                <td mat-cell *matCellDef="let r">{{ n(r.tokensPerMinute) }} / {{ n(r.requestsPerMinute) }}</td>
              </ng-container>
              <ng-container matColumnDef="routing">
                <th mat-header-cell *matHeaderCellDef>Priority · weight</th>
                <td mat-cell *matCellDef="let r">{{ r.priority }} · {{ r.weight }}</td>
              </ng-container>
              <ng-container matColumnDef="state">
                <th mat-header-cell *matHeaderCellDef>State</th>
                <td mat-cell *matCellDef="let r">
                  <span class="status" [class]="r.active ? 'status status-live' : 'status status-frozen'">{{ r.active ? 'active' : 'off' }}</span>
                </td>
              </ng-container>
              <ng-container matColumnDef="test">
                <th mat-header-cell *matHeaderCellDef>Connection</th>
                <td mat-cell *matCellDef="let r" class="test-cell">
                  <button
                    mat-stroked-button
                    type="button"
                    (click)="tests.test(r.id)"
                    [disabled]="tests.running(r.id)"
                    [attr.aria-label]="'Test the connection of ' + r.name"
                  >
                    <mat-icon svgIcon="science" aria-hidden="true" />Test
                  </button>
                  <div class="test-result" aria-live="polite" [attr.data-testid]="'test-result-' + r.deploymentName">
                    @if (tests.state(r.id); as state) {
                      @let s = summary(state);
                      <span class="test-chip" [class]="'test-chip tone-' + s.tone">{{ s.text }}</span>
                      @if (s.detail) {
                        <div class="muted small test-detail" [title]="s.detail">{{ s.detail }}</div>
                      }
                    }
                  </div>
                </td>
              </ng-container>
              <tr mat-header-row *matHeaderRowDef="columns"></tr>
              <tr mat-row *matRowDef="let row; columns: columns"></tr>
            </table>
          </div>
        }
      }
    </div>
  `,
  styles: `
    .small {
      font-size: 0.8rem;
      max-width: 260px;
      overflow: hidden;
      text-overflow: ellipsis;
    }
    .test-cell {
      min-width: 150px;
      padding-top: 8px;
      padding-bottom: 8px;
    }
    .test-result {
      margin-top: 4px;
    }
    .test-chip {
      display: inline-block;
      padding: 1px 8px;
      border-radius: 10px;
      font-size: 0.8rem;
      font-weight: 500;
    }
    .tone-ok {
      background: #c4eed0;
      color: #0a3818;
    }
    .tone-error {
      background: #ffdad6;
      color: #410002;
    }
    .tone-neutral,
    .tone-busy {
      background: #e3e3e3;
      color: #303030;
    }
    .test-detail {
      max-width: 240px;
      white-space: normal;
      display: -webkit-box;
      -webkit-line-clamp: 3;
      line-clamp: 3;
      -webkit-box-orient: vertical;
    }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export default class ResourcesListPage {
  private readonly api = inject(ApiClient);
  protected readonly resources = httpResource<ResourceList>(() => this.api.url('/api/v1/admin/resources'));
  protected readonly columns = ['name', 'deployment', 'upstream', 'key', 'limits', 'routing', 'state', 'test'];
  protected readonly tests = inject(ConnectionTests);
  protected readonly summary = summarize;
  protected readonly message = errorMessage;
  protected readonly n = formatNumber;
  protected upstreamLabel(u: UpstreamKind): string {
    return UPSTREAM_LABELS[u];
  }
}
