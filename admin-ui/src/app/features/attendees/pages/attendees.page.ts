import { httpResource } from '@angular/common/http';
import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import { toObservable, toSignal } from '@angular/core/rxjs-interop';
import { MatButtonModule } from '@angular/material/button';
import { MatCardModule } from '@angular/material/card';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatIconModule } from '@angular/material/icon';
import { MatInputModule } from '@angular/material/input';
import { MatPaginatorModule, PageEvent } from '@angular/material/paginator';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { MatTableModule } from '@angular/material/table';
import { debounceTime, distinctUntilChanged } from 'rxjs';
import { ApiClient } from '../../../core/api/api-client';
import { errorMessage } from '../../../core/api/api-error';
import type { AttendeePage, AttendeeResponse } from '../../../core/api/api-types';
import { CopyButton } from '../../../shared/copy-button';
import { EventContext } from '../../events/data/event-context';
import { AttendeesData, attendeesCsv } from '../data/attendees.data';

@Component({
  selector: 'app-attendees-page',
  imports: [
    MatTableModule,
    MatPaginatorModule,
    MatFormFieldModule,
    MatInputModule,
    MatButtonModule,
    MatIconModule,
    MatCardModule,
    MatProgressBarModule,
    CopyButton,
  ],
  template: `
    <div class="row toolbar">
      <mat-form-field appearance="outline" class="search" subscriptSizing="dynamic">
        <mat-label>Search by name or email</mat-label>
        <mat-icon matPrefix svgIcon="search" aria-hidden="true" />
        <input matInput type="search" [value]="searchText()" (input)="onSearch($event)" />
      </mat-form-field>
      <span class="spacer"></span>
      <button mat-stroked-button type="button" (click)="exportCsv()" [disabled]="exporting()">
        <mat-icon svgIcon="download" aria-hidden="true" />Export CSV
      </button>
    </div>

    @if (rotated(); as r) {
      <mat-card appearance="outlined" class="rotated" role="status">
        <mat-card-content>
          <p><strong>New key for {{ r.name }}.</strong> It is shown only now: copy it and hand it over. The old key no longer works.</p>
          <div class="row">
            <code class="key">{{ r.apiKey }}</code>
            <app-copy-button [value]="r.apiKey" label="new key" />
            <button mat-button type="button" (click)="rotated.set(null)">Done</button>
          </div>
        </mat-card-content>
      </mat-card>
    }
    @if (error()) {
      <p class="error-text" role="alert">{{ error() }}</p>
    }
    @if (page.isLoading()) {
      <mat-progress-bar mode="indeterminate" aria-label="Loading attendees" />
    }
    @if (page.error(); as err) {
      <p class="error-text" role="alert">{{ message(err) }}</p>
    }
    @if (page.hasValue()) {
      @if (page.value().total === 0) {
        <p class="muted">{{ search() ? 'No attendee matches “' + search() + '”.' : 'Nobody has registered yet. Share the registration link from the Overview tab.' }}</p>
      } @else {
        <div class="table-scroll" tabindex="0">
          <table mat-table [dataSource]="page.value().items" aria-label="Attendees">
            <ng-container matColumnDef="name">
              <th mat-header-cell *matHeaderCellDef>Name</th>
              <td mat-cell *matCellDef="let a">
                {{ a.name }}
                @if (a.identity) {
                  <span class="muted identity">{{ a.identity.provider === 'github' ? 'GitHub' : a.identity.provider }} {{ a.identity.login }}</span>
                }
              </td>
            </ng-container>
            <ng-container matColumnDef="email">
              <th mat-header-cell *matHeaderCellDef>Email</th>
              <td mat-cell *matCellDef="let a">{{ a.email }}</td>
            </ng-container>
            <ng-container matColumnDef="key">
              <th mat-header-cell *matHeaderCellDef>Key</th>
              <td mat-cell *matCellDef="let a"><code>{{ a.keyPrefix }}…</code></td>
            </ng-container>
            <ng-container matColumnDef="status">
              <th mat-header-cell *matHeaderCellDef>Status</th>
              <td mat-cell *matCellDef="let a">
                <span class="status" [class]="a.active ? 'status status-live' : 'status status-revoked'">{{ a.active ? 'active' : 'revoked' }}</span>
              </td>
            </ng-container>
            <ng-container matColumnDef="registered">
              <th mat-header-cell *matHeaderCellDef>Registered</th>
              <td mat-cell *matCellDef="let a">{{ date(a.createdAt) }}</td>
            </ng-container>
            <ng-container matColumnDef="actions">
              <th mat-header-cell *matHeaderCellDef><span class="visually-hidden">Actions</span></th>
              <td mat-cell *matCellDef="let a" class="actions">
                <button mat-button type="button" (click)="setActive(a, !a.active)" [attr.aria-label]="(a.active ? 'Revoke ' : 'Restore ') + a.name">
                  <mat-icon [svgIcon]="a.active ? 'block' : 'check_circle'" aria-hidden="true" />{{ a.active ? 'Revoke' : 'Restore' }}
                </button>
                <button mat-button type="button" (click)="rotate(a)" [attr.aria-label]="'Rotate the key of ' + a.name">
                  <mat-icon svgIcon="autorenew" aria-hidden="true" />Rotate
                </button>
              </td>
            </ng-container>
            <tr mat-header-row *matHeaderRowDef="columns"></tr>
            <tr mat-row *matRowDef="let row; columns: columns"></tr>
          </table>
        </div>
        <mat-paginator
          [length]="page.value().total"
          [pageIndex]="pageIndex()"
          [pageSize]="pageSize()"
          [pageSizeOptions]="[10, 25, 50, 100]"
          (page)="onPage($event)"
          aria-label="Attendee pages"
        />
      }
    }
  `,
  styles: `
    .toolbar {
      margin-bottom: 12px;
    }
    .search {
      min-width: 280px;
      flex: 0 1 420px;
    }
    .identity {
      display: block;
      font-size: 0.85rem;
    }
    .rotated {
      margin-bottom: 12px;
      background: #fff8e1;
    }
    .actions {
      white-space: nowrap;
      text-align: right;
    }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export default class AttendeesPage {
  private readonly api = inject(ApiClient);
  private readonly ctx = inject(EventContext);
  private readonly data = inject(AttendeesData);
  protected readonly columns = ['name', 'email', 'key', 'status', 'registered', 'actions'];
  protected readonly message = errorMessage;
  protected readonly error = signal('');
  protected readonly exporting = signal(false);
  protected readonly rotated = signal<{ name: string; apiKey: string } | null>(null);

  protected readonly searchText = signal('');
  protected readonly search = toSignal(toObservable(this.searchText).pipe(debounceTime(300), distinctUntilChanged()), { initialValue: '' });
  protected readonly pageIndex = signal(0);
  protected readonly pageSize = signal(25);

  protected readonly page = httpResource<AttendeePage>(() => {
    const eventId = this.ctx.eventId();
    if (!eventId) return undefined;
    return this.api.url('/api/v1/admin/events/{eventId}/attendees', { eventId }, {
      page: this.pageIndex() + 1,
      pageSize: this.pageSize(),
      search: this.search() || undefined,
    });
  });

  onSearch(e: Event): void {
    this.searchText.set((e.target as HTMLInputElement).value);
    this.pageIndex.set(0);
  }

  onPage(e: PageEvent): void {
    this.pageIndex.set(e.pageIndex);
    this.pageSize.set(e.pageSize);
  }

  date(iso: string): string {
    return new Date(iso).toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'short' });
  }

  async setActive(a: AttendeeResponse, active: boolean): Promise<void> {
    await this.act(() => this.data.setActive(a.eventId, a.id, active));
  }

  async rotate(a: AttendeeResponse): Promise<void> {
    await this.act(async () => {
      const r = await this.data.rotate(a.eventId, a.id);
      this.rotated.set({ name: a.name, apiKey: r.apiKey });
    });
  }

  async exportCsv(): Promise<void> {
    const eventId = this.ctx.eventId();
    if (!eventId) return;
    this.exporting.set(true);
    try {
      const rows = await this.data.all(eventId, this.search() || undefined);
      const url = URL.createObjectURL(new Blob([attendeesCsv(rows)], { type: 'text/csv;charset=utf-8' }));
      const link = document.createElement('a');
      link.href = url;
      link.download = `${eventId}-attendees.csv`;
      link.click();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (err) {
      this.error.set(errorMessage(err));
    } finally {
      this.exporting.set(false);
    }
  }

  private async act(action: () => Promise<unknown>): Promise<void> {
    this.error.set('');
    try {
      await action();
      this.page.reload();
    } catch (err) {
      this.error.set(errorMessage(err));
    }
  }
}
