import { Clipboard } from '@angular/cdk/clipboard';
import { ChangeDetectionStrategy, Component, inject, input, signal } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MatIconModule } from '@angular/material/icon';

/** Copies `value` and says so (visibly and to screen readers) for two seconds. */
@Component({
  selector: 'app-copy-button',
  imports: [MatButtonModule, MatIconModule],
  template: `
    <button mat-stroked-button type="button" (click)="copy()" [attr.aria-label]="'Copy ' + label()">
      <mat-icon [svgIcon]="copied() ? 'check' : 'content_copy'" aria-hidden="true" />
      {{ copied() ? 'Copied' : text() }}
    </button>
    <span class="visually-hidden" aria-live="polite">{{ copied() ? label() + ' copied' : '' }}</span>
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class CopyButton {
  private readonly clipboard = inject(Clipboard);
  readonly value = input.required<string>();
  readonly label = input('text');
  readonly text = input('Copy');
  protected readonly copied = signal(false);
  private timer: ReturnType<typeof setTimeout> | undefined;

  copy(): void {
    this.clipboard.copy(this.value());
    this.copied.set(true);
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.copied.set(false), 2000);
  }
}
