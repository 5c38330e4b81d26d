import { ChangeDetectionStrategy, Component, inject } from '@angular/core';
import { MatCardModule } from '@angular/material/card';
import { formatInZone, formatNumber } from '../../../shared/format';
import { RegistrationLink } from '../components/registration-link';
import { EventContext } from '../data/event-context';

@Component({
  selector: 'app-event-overview-page',
  imports: [MatCardModule, RegistrationLink],
  template: `
    @if (ctx.event.hasValue()) {
      @let e = ctx.event.value();
      <div class="grid">
        <mat-card appearance="outlined">
          <mat-card-content>
            <h2>Registration</h2>
            <app-registration-link [eventId]="e.id" [code]="e.registration.code" />
          </mat-card-content>
        </mat-card>
        <mat-card appearance="outlined">
          <mat-card-content>
            <h2>Details</h2>
            <dl>
              <dt>Event id</dt>
              <dd><code>{{ e.id }}</code></dd>
              <dt>Starts</dt>
              <dd>{{ zoned(e.startsAt, e.timeZone) }}</dd>
              <dt>Ends</dt>
              <dd>{{ zoned(e.endsAt, e.timeZone) }}</dd>
              <dt>Requests per attendee per day</dt>
              <dd>{{ n(e.dailyRequestCap) }}</dd>
              <dt>Max tokens per request</dt>
              <dd>{{ n(e.maxTokenCap) }}</dd>
              <dt>Organiser</dt>
              <dd>{{ e.organizerName || '—' }} {{ e.organizerEmail ? '(' + e.organizerEmail + ')' : '' }}</dd>
              <dt>Model aliases</dt>
              <dd>
                @for (a of aliases(e.modelAliases); track a[0]) {
                  <div><code>{{ a[0] }}</code> → <code>{{ a[1] }}</code></div>
                } @empty {
                  —
                }
              </dd>
              @if (e.description) {
                <dt>Description</dt>
                <dd>{{ e.description }}</dd>
              }
            </dl>
          </mat-card-content>
        </mat-card>
      </div>
    }
  `,
  styles: `
    .grid {
      display: grid;
      grid-template-columns: repeat(auto-fit, minmax(320px, 1fr));
      gap: 16px;
    }
    h2 {
      font-size: 1.1rem;
      font-weight: 500;
      margin: 0 0 12px;
    }
    dl {
      display: grid;
      grid-template-columns: max-content 1fr;
      gap: 6px 16px;
      margin: 0;
    }
    dt {
      color: var(--mat-sys-on-surface-variant, #44474e);
    }
    dd {
      margin: 0;
    }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export default class EventOverviewPage {
  protected readonly ctx = inject(EventContext);
  protected readonly n = formatNumber;
  protected aliases(map: Record<string, string>): [string, string][] {
    return Object.entries(map).sort(([a], [b]) => a.localeCompare(b));
  }
  protected zoned(iso: string, tz: string): string {
    return formatInZone(iso, tz, false);
  }
}
