import { ChangeDetectionStrategy, Component, effect, inject, input, signal } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MatIconModule } from '@angular/material/icon';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { MatTabsModule } from '@angular/material/tabs';
import { RouterLink, RouterLinkActive, RouterOutlet } from '@angular/router';
import { errorMessage } from '../../../core/api/api-error';
import { formatInZone } from '../../../shared/format';
import { EventStatusChip } from '../components/event-status';
import { EventContext } from '../data/event-context';
import { EventsData } from '../data/events.data';

/** One event: its header, actions and tabs (overview, deployments, attendees, usage, capacity). */
@Component({
  selector: 'app-event-detail-page',
  imports: [RouterOutlet, RouterLink, RouterLinkActive, MatTabsModule, MatButtonModule, MatIconModule, MatProgressBarModule, EventStatusChip],
  providers: [EventContext],
  template: `
    <div class="page">
      <a mat-button routerLink="/admin/events" class="back"><mat-icon svgIcon="arrow_back" aria-hidden="true" />All events</a>
      @if (ctx.event.error(); as err) {
        <p class="error-text" role="alert">{{ message(err) }}</p>
      }
      @if (ctx.event.hasValue()) {
        @let e = ctx.event.value();
        <header class="page-header">
          <h1>{{ e.name }}</h1>
          <app-event-status [status]="e.status" [active]="e.active" />
          <a mat-stroked-button [routerLink]="['/admin/events', e.id, 'edit']"><mat-icon svgIcon="edit" aria-hidden="true" />Edit</a>
          <button mat-stroked-button type="button" (click)="toggle(!e.active)">
            <mat-icon [svgIcon]="e.active ? 'ac_unit' : 'play_circle'" aria-hidden="true" />{{ e.active ? 'Freeze' : 'Activate' }}
          </button>
        </header>
        <p class="muted when">{{ when(e.startsAt, e.timeZone) }} – {{ when(e.endsAt, e.timeZone) }} ({{ e.timeZone }})</p>
        @if (actionError()) {
          <p class="error-text" role="alert">{{ actionError() }}</p>
        }
        <nav mat-tab-nav-bar [tabPanel]="panel" aria-label="Event sections">
          @for (t of tabs; track t.path) {
            <a mat-tab-link [routerLink]="t.path" routerLinkActive #rla="routerLinkActive" [active]="rla.isActive">{{ t.label }}</a>
          }
        </nav>
        <mat-tab-nav-panel #panel>
          <router-outlet />
        </mat-tab-nav-panel>
      } @else if (ctx.event.isLoading()) {
        <mat-progress-bar mode="indeterminate" aria-label="Loading the event" />
      }
    </div>
  `,
  styles: `
    .back {
      margin-left: -12px;
    }
    .when {
      margin-top: -8px;
    }
    mat-tab-nav-panel {
      display: block;
      padding-top: 16px;
    }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export default class EventDetailPage {
  protected readonly ctx = inject(EventContext);
  private readonly data = inject(EventsData);
  readonly eventId = input.required<string>();
  protected readonly actionError = signal('');
  protected readonly message = errorMessage;
  protected readonly tabs = [
    { path: 'overview', label: 'Overview' },
    { path: 'deployments', label: 'Deployments' },
    { path: 'attendees', label: 'Attendees' },
    { path: 'usage', label: 'Usage' },
    { path: 'capacity', label: 'Capacity' },
  ];

  constructor() {
    effect(() => this.ctx.eventId.set(this.eventId()));
  }

  when(iso: string, tz: string): string {
    return formatInZone(iso, tz, false);
  }

  async toggle(active: boolean): Promise<void> {
    this.actionError.set('');
    try {
      await this.data.setActive(this.eventId(), active);
      this.ctx.event.reload();
    } catch (err) {
      this.actionError.set(errorMessage(err));
    }
  }
}
