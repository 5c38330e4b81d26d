import { ChangeDetectionStrategy, Component, computed, inject, OnDestroy } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MatCardModule } from '@angular/material/card';
import { MatIconModule } from '@angular/material/icon';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { MatTabsModule } from '@angular/material/tabs';
import { RouterLink } from '@angular/router';
import { errorMessage } from '../../../core/api/api-error';
import { AttendeeKey } from '../../../core/attendee/attendee-key';
import { EventInfoStore } from '../../../core/attendee/event-info';
import { AttendeeBar } from '../../../core/layout/attendee-bar';
import { CopyButton } from '../../../shared/copy-button';
import { formatDuration, formatInZone, formatNumber } from '../../../shared/format';
import { injectNow } from '../../../shared/now';
import { KeyEntry } from '../components/key-entry';
import { snippets } from '../components/snippets';

const KEY_VAR = 'AI_PROXY_KEY';
const API_VERSION = '2024-10-21';

@Component({
  selector: 'app-my-key-page',
  imports: [RouterLink, MatCardModule, MatButtonModule, MatIconModule, MatProgressBarModule, MatTabsModule, CopyButton, KeyEntry, AttendeeBar],
  template: `
    <app-attendee-bar />
    <main class="page narrow">
      <h1>My key</h1>
      @if (fresh(); as r) {
        <mat-card appearance="outlined" class="fresh">
          <mat-card-content>
            <h2>{{ r.rotated ? 'Your new key' : 'You are registered' }} for {{ r.eventName }}</h2>
            <p><strong>Copy your key now: it is shown only once.</strong> {{ r.rotated ? 'Your previous key no longer works.' : '' }}</p>
            <div class="row">
              <code class="key" data-testid="api-key">{{ r.apiKey }}</code>
              <app-copy-button [value]="r.apiKey" label="API key" text="Copy key" />
            </div>
          </mat-card-content>
        </mat-card>
      }

      @if (!attendee.hasKey()) {
        <p>Register with the link your organiser shared, or paste the key you were given.</p>
        <app-key-entry />
      } @else {
        @if (store.info.error(); as err) {
          <p class="error-text" role="alert">{{ message(err) }}</p>
          <button mat-button type="button" (click)="attendee.forget()">Use another key</button>
        }
        @if (store.current(); as info) {
          <mat-card appearance="outlined">
            <mat-card-content>
              <h2>{{ info.name }}</h2>
              <p class="muted">Signed in as {{ info.attendee.name }} ({{ info.attendee.email }}) · key {{ prefix() }}…</p>
              <p>
                <strong>{{ countdown() }}</strong><br />
                <span class="muted">{{ zoned(info.startsAt, info.timeZone) }} – {{ zoned(info.endsAt, info.timeZone) }} ({{ info.timeZone }})</span>
              </p>
              <div class="quota">
                <div class="row">
                  <span id="quota-label">Today: {{ n(info.usage.requests) }} of {{ n(info.dailyRequestCap) }} requests</span>
                  <span class="spacer"></span>
                  <span class="muted">{{ n(info.usage.tokens) }} tokens · resets in {{ resetsIn() }}</span>
                </div>
                <mat-progress-bar mode="determinate" [value]="quotaPercent()" aria-labelledby="quota-label" />
              </div>
              <p class="muted small">Up to {{ n(info.maxTokenCap) }} tokens per request.</p>
              <h3>Deployments</h3>
              @if (info.deployments.length === 0) {
                <p class="muted">No models are available yet. Ask your organiser.</p>
              } @else {
                <ul class="deployments">
                  @for (d of info.deployments; track d.deploymentName) {
                    <li><code>{{ d.deploymentName }}</code><span class="muted model-class">{{ d.modelClass }}</span></li>
                  }
                </ul>
              }
              <div class="row">
                <a mat-flat-button routerLink="/playground"><mat-icon svgIcon="chat" aria-hidden="true" />Open the Playground</a>
                <button mat-button type="button" (click)="attendee.forget()">Forget this key</button>
              </div>
            </mat-card-content>
          </mat-card>

          <section aria-labelledby="code-title" class="code-section">
            <h2 id="code-title">Use it from code</h2>
            <p class="muted">Put your key in the <code>{{ keyVar }}</code> environment variable, then:</p>
            <mat-tab-group animationDuration="0ms" mat-stretch-tabs="false">
              @for (s of codeSnippets(); track s.id) {
                <mat-tab [label]="s.label">
                  <div class="snippet">
                    <pre tabindex="0" [attr.aria-label]="s.label + ' example'"><code>{{ s.code }}</code></pre>
                    <app-copy-button [value]="s.code" [label]="s.label + ' snippet'" />
                  </div>
                </mat-tab>
              }
            </mat-tab-group>
          </section>
        }
      }
    </main>
  `,
  styles: `
    .narrow {
      max-width: 860px;
    }
    h1 {
      font-size: 1.8rem;
      font-weight: 500;
      margin: 16px 0;
    }
    h2 {
      font-size: 1.2rem;
      font-weight: 500;
      margin: 0 0 8px;
    }
    h3 {
      font-size: 1rem;
      font-weight: 500;
      margin: 16px 0 4px;
    }
    .fresh {
      margin-bottom: 16px;
      background: #fff8e1;
    }
    .quota {
      margin: 12px 0 4px;
    }
    .quota .row {
      margin-bottom: 6px;
    }
    .small {
      font-size: 0.85rem;
    }
    .model-class {
      margin-left: 8px;
    }
    .deployments {
      margin: 4px 0 16px;
      padding-left: 20px;
    }
    .code-section {
      margin-top: 24px;
    }
    .snippet {
      position: relative;
      padding-top: 8px;
    }
    .snippet pre {
      background: #1e1f24;
      color: #f1f1f1;
      padding: 12px 16px;
      border-radius: 8px;
      overflow-x: auto;
      font-size: 0.85rem;
      line-height: 1.45;
    }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export default class MyKeyPage implements OnDestroy {
  protected readonly attendee = inject(AttendeeKey);
  protected readonly store = inject(EventInfoStore);
  private readonly now = injectNow();
  protected readonly message = errorMessage;
  protected readonly n = formatNumber;
  protected readonly keyVar = KEY_VAR;
  /** The registration just made; cleared when leaving the page, so the key is shown once. */
  protected readonly fresh = this.attendee.fresh.asReadonly();

  protected readonly prefix = computed(() => (this.attendee.key() ?? '').slice(0, 12));
  protected readonly quotaPercent = computed(() => {
    const info = this.store.current();
    return info ? Math.min(100, (info.usage.requests / info.dailyRequestCap) * 100) : 0;
  });
  protected readonly resetsIn = computed(() => {
    const info = this.store.current();
    return info ? formatDuration(Date.parse(info.usage.resetsAt) - this.now()) : '';
  });
  protected readonly countdown = computed(() => {
    const info = this.store.current();
    if (!info) return '';
    const now = this.now();
    const starts = Date.parse(info.startsAt);
    const ends = Date.parse(info.endsAt);
    if (now < starts) return `Starts in ${formatDuration(starts - now)}`;
    if (now < ends) return `Live now · ends in ${formatDuration(ends - now)}`;
    return 'This event has ended.';
  });
  protected readonly codeSnippets = computed(() => {
    const deployments = this.store.current()?.deployments ?? [];
    const chat = deployments.find((d) => d.modelClass === 'openai-chat') ?? deployments[0];
    return snippets({ baseUrl: location.origin, deployment: chat?.deploymentName ?? 'gpt-4o-mini', keyVar: KEY_VAR, apiVersion: API_VERSION });
  });

  constructor() {
    // Fresh numbers each time the page opens (after a Playground session, say).
    this.store.info.reload();
  }

  zoned(iso: string, tz: string): string {
    return formatInZone(iso, tz, false);
  }

  ngOnDestroy(): void {
    this.attendee.fresh.set(null);
  }
}
