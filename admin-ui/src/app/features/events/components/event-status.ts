import { ChangeDetectionStrategy, Component, computed, input } from '@angular/core';
import type { EventStatus } from '../../../core/api/api-types';

/** "live", "upcoming", "ended", or "frozen" when the organiser switched the event off. */
@Component({
  selector: 'app-event-status',
  template: `<span class="status" [class]="'status status-' + shown()">{{ shown() }}</span>`,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class EventStatusChip {
  readonly status = input.required<EventStatus>();
  readonly active = input(true);
  protected readonly shown = computed(() => (this.active() ? this.status() : 'frozen'));
}
