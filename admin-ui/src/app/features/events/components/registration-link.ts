import { ChangeDetectionStrategy, Component, computed, effect, input, signal } from '@angular/core';
import { toString as qrSvg } from 'qrcode';
import { CopyButton } from '../../../shared/copy-button';
import { registrationLink } from '../data/events.data';

/** The link attendees register at, with a copy button and a QR code to put on a slide. */
@Component({
  selector: 'app-registration-link',
  imports: [CopyButton],
  template: `
    <div class="link-box">
      <div class="text">
        <label class="muted" for="reg-link">Registration link</label>
        <input id="reg-link" class="key link" readonly [value]="link()" />
        <div class="row">
          <app-copy-button [value]="link()" label="registration link" text="Copy link" />
          <a [href]="link()" target="_blank" rel="noopener">Open</a>
        </div>
        @if (code()) {
          <p>Attendees also need the code <strong class="key">{{ code() }}</strong>.</p>
        }
      </div>
      @if (qr()) {
        <img class="qr" [src]="qr()" width="168" height="168" alt="QR code for the registration link" />
      }
    </div>
  `,
  styles: `
    .link-box {
      display: flex;
      gap: 24px;
      align-items: center;
      flex-wrap: wrap;
    }
    .text {
      flex: 1 1 320px;
      display: flex;
      flex-direction: column;
      gap: 8px;
    }
    .link {
      border: none;
      font-size: 0.95rem;
      width: 100%;
      box-sizing: border-box;
    }
    .qr {
      border: 1px solid var(--mat-sys-outline-variant, #ccc);
      border-radius: 8px;
      background: #fff;
    }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class RegistrationLink {
  readonly eventId = input.required<string>();
  readonly code = input<string | undefined>();
  protected readonly link = computed(() => registrationLink(this.eventId()));
  protected readonly qr = signal('');

  constructor() {
    effect(() => {
      const link = this.link();
      qrSvg(link, { type: 'svg', margin: 1, errorCorrectionLevel: 'M' }).then(
        (svg) => this.qr.set(`data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`),
        () => this.qr.set(''),
      );
    });
  }
}
