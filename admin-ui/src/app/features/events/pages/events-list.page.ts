import { httpResource } from '@angular/common/http';
import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MatIconModule } from '@angular/material/icon';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { MatTableModule } from '@angular/material/table';
import { RouterLink } from '@angular/router';
import { ApiClient } from '../../../core/api/api-client';
import { errorMessage } from '../../../core/api/api-error';
import type { EventList, EventResponse } from '../../../core/api/api-types';
import { formatInZone, formatNumber } from '../../../shared/format';
import { EventStatusChip } from '../components/event-status';
import { EventsData } from '../data/events.data';

@Component({
  selector: 'app-events-list-page',
  imports: [RouterLink, MatTableModule, MatButtonModule, MatIconModule, MatProgressBarModule, EventStatusChip],
  template: `
    <div class="page">
      <header class="page-header">
        <h1>Events</h1>
        <a mat-flat-button routerLink="new"><mat-icon svgIcon="add" aria-hidden="true" />New event</a>
      </header>
      @if (events.isLoading()) {
        <mat-progress-bar mode="indeterminate" aria-label="Loading events" />
      }
      @if (events.error(); as err) {
        <p class="error-text" role="alert">{{ message(err) }}</p>
      }
      @if (actionError()) {
        <p class="error-text" role="alert">{{ actionError() }}</p>
      }
      @if (events.hasValue()) {
        @if (events.value().items.length === 0) {
          <p class="muted">No events yet. Create one to hand out keys.</p>
        } @else {
          <div class="table-scroll" tabindex="0">
            <table mat-table [dataSource]="events.value().items" aria-label="Events">
              <ng-container matColumnDef="name">
                <th mat-header-cell *matHeaderCellDef>Event</th>
                <td mat-cell *matCellDef="let e">
                  <a [routerLink]="[e.id]" class="name">{{ e.name }}</a>
                  <div class="muted small">{{ e.id }}</div>
                </td>
              </ng-container>
              <ng-container matColumnDef="status">
                <th mat-header-cell *matHeaderCellDef>Status</th>
                <td mat-cell *matCellDef="let e"><app-event-status [status]="e.status" [active]="e.active" /></td>
              </ng-container>
              <ng-container matColumnDef="window">
                <th mat-header-cell *matHeaderCellDef>When</th>
                <td mat-cell *matCellDef="let e">
                  {{ when(e.startsAt, e.timeZone) }} – {{ when(e.endsAt, e.timeZone) }}
                  <div class="muted small">{{ e.timeZone }}</div>
                </td>
              </ng-container>
              <ng-container matColumnDef="caps">
                <th mat-header-cell *matHeaderCellDef class="hide-phone">Caps</th>
                <td mat-cell *matCellDef="let e" class="hide-phone">
                  {{ n(e.dailyRequestCap) }} req/day<div class="muted small">max {{ n(e.maxTokenCap) }} tokens</div>
                </td>
              </ng-container>
              <ng-container matColumnDef="registration">
                <th mat-header-cell *matHeaderCellDef class="hide-phone">Registration</th>
                <td mat-cell *matCellDef="let e" class="hide-phone">{{ e.registration.mode === 'code' ? 'With code' : 'Open' }}</td>
              </ng-container>
              <ng-container matColumnDef="actions">
                <th mat-header-cell *matHeaderCellDef><span class="visually-hidden">Actions</span></th>
                <td mat-cell *matCellDef="let e" class="actions">
                  <a mat-button [routerLink]="[e.id, 'edit']" [attr.aria-label]="'Edit ' + e.name">Edit</a>
                  <button mat-button type="button" (click)="toggle(e)" [attr.aria-label]="(e.active ? 'Freeze ' : 'Activate ') + e.name">
                    {{ e.active ? 'Freeze' : 'Activate' }}
                  </button>
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
    .name {
      font-weight: 500;
    }
    .small {
      font-size: 0.8rem;
    }
    .actions {
      white-space: nowrap;
      text-align: right;
    }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export default class EventsListPage {
  private readonly api = inject(ApiClient);
  private readonly data = inject(EventsData);
  protected readonly events = httpResource<EventList>(() => this.api.url('/api/v1/admin/events'));
  protected readonly columns = ['name', 'status', 'window', 'caps', 'registration', 'actions'];
  protected readonly actionError = signal('');
  protected readonly message = errorMessage;
  protected readonly n = formatNumber;

  when(iso: string, tz: string): string {
    return formatInZone(iso, tz, false);
  }

  async toggle(e: EventResponse): Promise<void> {
    this.actionError.set('');
    try {
      await this.data.setActive(e.id, !e.active);
      this.events.reload();
    } catch (err) {
      this.actionError.set(errorMessage(err));
    }
  }
}
