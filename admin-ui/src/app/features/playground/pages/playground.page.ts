import { ChangeDetectionStrategy, Component, computed, effect, ElementRef, inject, OnDestroy, viewChild } from '@angular/core';
import { toSignal } from '@angular/core/rxjs-interop';
import { FormControl, FormGroup, ReactiveFormsModule } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatExpansionModule } from '@angular/material/expansion';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatIconModule } from '@angular/material/icon';
import { MatInputModule } from '@angular/material/input';
import { MatSelectModule } from '@angular/material/select';
import { MatSliderModule } from '@angular/material/slider';
import { MatTabsModule } from '@angular/material/tabs';
import { RouterLink } from '@angular/router';
import { errorMessage } from '../../../core/api/api-error';
import { AttendeeKey } from '../../../core/attendee/attendee-key';
import { EventInfoStore } from '../../../core/attendee/event-info';
import { AttendeeBar } from '../../../core/layout/attendee-bar';
import { formatNumber } from '../../../shared/format';
import { KeyEntry } from '../../register/components/key-entry';
import { ImagesPanel } from '../components/images-panel';
import { ChatSession } from '../data/chat-session';
import { ChatStreamService, type ChatRequest } from '../data/chat-stream.service';

const CHAT_CLASSES = new Set(['openai-chat']);
const IMAGE_CLASSES = new Set(['openai-dall-e-3', 'openai-dall-e-2']);

@Component({
  selector: 'app-playground-page',
  imports: [
    ReactiveFormsModule,
    RouterLink,
    MatFormFieldModule,
    MatInputModule,
    MatSelectModule,
    MatSliderModule,
    MatButtonModule,
    MatIconModule,
    MatExpansionModule,
    MatTabsModule,
    AttendeeBar,
    KeyEntry,
    ImagesPanel,
  ],
  template: `
    <app-attendee-bar />
    <main class="pg">
      <h1 class="visually-hidden">Playground</h1>
      @if (!attendee.hasKey()) {
        <div class="page">
          <h2>Playground</h2>
          <p>Paste your event key to start, or <a routerLink="/">register</a> with your organiser's link first.</p>
          <app-key-entry />
        </div>
      } @else {
        @if (store.info.error(); as err) {
          <div class="key-problem" role="alert">
            <span>{{ message(err) }}</span>
            <button mat-stroked-button type="button" (click)="attendee.forget()">Use another key</button>
          </div>
        }
        @if (store.current(); as info) {
          @if (info.status !== 'live') {
            <p class="banner" role="status">
              {{ info.status === 'upcoming' ? 'This event has not started yet: the models answer once it begins.' : 'This event has ended: the models no longer answer.' }}
            </p>
          }
          <div class="layout">
            <aside class="setup" aria-label="Setup">
              <form [formGroup]="form">
                <mat-form-field appearance="outline" class="full-width">
                  <mat-label>Deployment</mat-label>
                  <mat-select formControlName="model">
                    @for (d of chatDeployments(); track d) {
                      <mat-option [value]="d">{{ d }}</mat-option>
                    }
                  </mat-select>
                  @if (chatDeployments().length === 0) {
                    <mat-hint>No chat deployment is attached to this event.</mat-hint>
                  }
                </mat-form-field>
                <mat-form-field appearance="outline" class="full-width">
                  <mat-label>System message</mat-label>
                  <textarea matInput formControlName="system" rows="4"></textarea>
                </mat-form-field>
                <mat-expansion-panel [expanded]="wide" class="params">
                  <mat-expansion-panel-header><mat-panel-title>Parameters</mat-panel-title></mat-expansion-panel-header>
                  <div class="param">
                    <label for="p-temp">Temperature <output>{{ params().temperature }}</output></label>
                    <mat-slider min="0" max="2" step="0.1" discrete><input id="p-temp" matSliderThumb formControlName="temperature" /></mat-slider>
                  </div>
                  <div class="param">
                    <label for="p-top">Top P <output>{{ params().top_p }}</output></label>
                    <mat-slider min="0" max="1" step="0.05" discrete><input id="p-top" matSliderThumb formControlName="top_p" /></mat-slider>
                  </div>
                  <mat-form-field appearance="outline" class="full-width">
                    <mat-label>Max tokens</mat-label>
                    <input matInput type="number" min="1" [max]="info.maxTokenCap" formControlName="max_tokens" />
                    <mat-hint>Up to {{ n(info.maxTokenCap) }} at this event</mat-hint>
                  </mat-form-field>
                  <div class="param">
                    <label for="p-freq">Frequency penalty <output>{{ params().frequency_penalty }}</output></label>
                    <mat-slider min="-2" max="2" step="0.1" discrete><input id="p-freq" matSliderThumb formControlName="frequency_penalty" /></mat-slider>
                  </div>
                  <div class="param">
                    <label for="p-pres">Presence penalty <output>{{ params().presence_penalty }}</output></label>
                    <mat-slider min="-2" max="2" step="0.1" discrete><input id="p-pres" matSliderThumb formControlName="presence_penalty" /></mat-slider>
                  </div>
                  <mat-form-field appearance="outline" class="full-width">
                    <mat-label>Stop sequences</mat-label>
                    <input matInput formControlName="stop" placeholder="e.g. ###, END" />
                    <mat-hint>Up to 4, separated by commas</mat-hint>
                  </mat-form-field>
                </mat-expansion-panel>
              </form>
              <p class="muted small">
                Today: {{ n(info.usage.requests) }} of {{ n(info.dailyRequestCap) }} requests · {{ n(session.totalTokens()) }} tokens in this chat
              </p>
            </aside>

            <section class="work" aria-label="Chat and images">
              <mat-tab-group animationDuration="0ms" mat-stretch-tabs="false">
                <mat-tab label="Chat">
                  <div class="chat">
                    <div class="log" #log role="log" aria-live="polite" aria-label="Conversation">
                      @for (t of session.turns(); track t.id) {
                        <article class="turn" [class.user]="t.role === 'user'" [attr.aria-label]="t.role === 'user' ? 'You' : 'Assistant'">
                          <div class="who">{{ t.role === 'user' ? 'You' : 'Assistant' }}</div>
                          @if (t.content) {
                            <div class="bubble">{{ t.content }}</div>
                          } @else if (t.streaming) {
                            <div class="bubble muted">…</div>
                          }
                          @if (t.error) {
                            <p class="turn-error" role="alert">{{ t.error }}</p>
                          }
                          @if (t.note) {
                            <p class="muted small">{{ t.note }}</p>
                          }
                          @if (t.usage; as u) {
                            <p class="usage muted small" data-testid="turn-usage">
                              {{ n(u.prompt_tokens) }} prompt + {{ n(u.completion_tokens) }} completion = {{ n(u.total_tokens) }} tokens
                            </p>
                          }
                        </article>
                      } @empty {
                        <p class="muted empty">Send a message to start. Enter sends, Shift+Enter starts a new line.</p>
                      }
                    </div>
                    <form class="composer" [formGroup]="composer" (ngSubmit)="send()">
                      <mat-form-field appearance="outline" class="grow" subscriptSizing="dynamic">
                        <mat-label>Message</mat-label>
                        <textarea matInput formControlName="text" rows="2" (keydown.enter)="onEnter($event)"></textarea>
                      </mat-form-field>
                      <div class="buttons">
                        @if (session.streaming()) {
                          <button mat-flat-button type="button" class="stop" (click)="session.stop()"><mat-icon svgIcon="stop" aria-hidden="true" />Stop</button>
                        } @else {
                          <button mat-flat-button type="submit" [disabled]="!form.controls.model.value"><mat-icon svgIcon="send" aria-hidden="true" />Send</button>
                        }
                        <button mat-button type="button" (click)="session.clear()" [disabled]="session.turns().length === 0">
                          <mat-icon svgIcon="delete_sweep" aria-hidden="true" />Clear chat
                        </button>
                      </div>
                    </form>
                  </div>
                </mat-tab>
                <mat-tab label="Images">
                  <div class="images-tab">
                    <app-images-panel [deployments]="imageDeployments()" [apiKey]="attendee.key() ?? ''" (used)="store.info.reload()" />
                  </div>
                </mat-tab>
              </mat-tab-group>
            </section>
          </div>
        }
      }
    </main>
  `,
  styles: `
    .pg {
      max-width: 1400px;
      margin: 0 auto;
    }
    .banner {
      margin: 12px 16px 0;
      padding: 10px 14px;
      border-radius: 8px;
      background: #fff4e5;
      color: #5f3700;
    }
    .key-problem {
      display: flex;
      align-items: center;
      gap: 12px;
      flex-wrap: wrap;
      margin: 12px 16px 0;
      padding: 10px 14px;
      border-radius: 8px;
      background: var(--mat-sys-error-container, #ffdad6);
      color: var(--mat-sys-on-error-container, #410002);
    }
    .layout {
      display: grid;
      grid-template-columns: 320px 1fr;
      gap: 16px;
      padding: 16px;
    }
    .setup .small {
      font-size: 0.85rem;
    }
    .params {
      margin-bottom: 12px;
    }
    .param label {
      display: flex;
      justify-content: space-between;
      font-size: 0.9rem;
    }
    .param mat-slider {
      width: 100%;
      margin: 0;
    }
    .work {
      min-width: 0;
      border: 1px solid var(--mat-sys-outline-variant, #c4c6d0);
      border-radius: 12px;
      overflow: hidden;
    }
    .chat {
      display: flex;
      flex-direction: column;
      height: calc(100vh - 190px);
      min-height: 360px;
    }
    .log {
      flex: 1 1 auto;
      overflow-y: auto;
      padding: 16px;
      display: flex;
      flex-direction: column;
      gap: 12px;
    }
    .turn {
      max-width: 85%;
    }
    .turn.user {
      align-self: flex-end;
    }
    .who {
      font-size: 0.75rem;
      font-weight: 500;
      color: var(--mat-sys-on-surface-variant, #44474e);
      margin-bottom: 2px;
    }
    .bubble {
      white-space: pre-wrap;
      word-break: break-word;
      padding: 10px 14px;
      border-radius: 12px;
      background: var(--mat-sys-surface-container, #eef0f7);
    }
    .turn.user .bubble {
      background: var(--mat-sys-primary-container, #d7e3ff);
    }
    .turn-error {
      color: var(--mat-sys-on-error-container, #410002);
      background: var(--mat-sys-error-container, #ffdad6);
      padding: 8px 12px;
      border-radius: 8px;
      margin: 4px 0 0;
    }
    .usage,
    .turn .small {
      margin: 4px 0 0;
      font-size: 0.8rem;
    }
    .empty {
      margin: auto;
      text-align: center;
    }
    .composer {
      display: flex;
      gap: 8px;
      align-items: flex-start;
      padding: 12px 16px;
      border-top: 1px solid var(--mat-sys-outline-variant, #c4c6d0);
    }
    .grow {
      flex: 1 1 auto;
    }
    .buttons {
      display: flex;
      flex-direction: column;
      gap: 4px;
    }
    .stop {
      background: var(--mat-sys-error, #b3261e);
      color: #fff;
    }
    .images-tab {
      padding: 16px;
    }
    @media (max-width: 900px) {
      .layout {
        grid-template-columns: 1fr;
        padding: 8px;
      }
      .setup {
        order: 2;
      }
      .chat {
        height: 70vh;
      }
      .composer {
        flex-direction: column;
        align-items: stretch;
      }
      .buttons {
        flex-direction: row;
      }
      .turn {
        max-width: 100%;
      }
    }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export default class PlaygroundPage implements OnDestroy {
  protected readonly attendee = inject(AttendeeKey);
  protected readonly store = inject(EventInfoStore);
  private readonly streams = inject(ChatStreamService);
  private readonly log = viewChild<ElementRef<HTMLElement>>('log');
  protected readonly session = new ChatSession();
  /** Parameters start folded on small screens, where the chat comes first. */
  protected readonly wide = typeof matchMedia === 'function' ? !matchMedia('(max-width: 900px)').matches : true;
  protected readonly message = errorMessage;
  protected readonly n = formatNumber;

  protected readonly form = new FormGroup({
    model: new FormControl('', { nonNullable: true }),
    system: new FormControl('You are a helpful assistant.', { nonNullable: true }),
    temperature: new FormControl(0.7, { nonNullable: true }),
    top_p: new FormControl(0.95, { nonNullable: true }),
    max_tokens: new FormControl(800, { nonNullable: true }),
    frequency_penalty: new FormControl(0, { nonNullable: true }),
    presence_penalty: new FormControl(0, { nonNullable: true }),
    stop: new FormControl('', { nonNullable: true }),
  });
  protected readonly params = toSignal(this.form.valueChanges, { initialValue: this.form.getRawValue() });
  protected readonly composer = new FormGroup({ text: new FormControl('', { nonNullable: true }) });
  private readonly input = this.composer.controls.text;

  protected readonly chatDeployments = computed(() =>
    (this.store.current()?.deployments ?? []).filter((d) => CHAT_CLASSES.has(d.modelClass)).map((d) => d.deploymentName),
  );
  protected readonly imageDeployments = computed(() =>
    (this.store.current()?.deployments ?? []).filter((d) => IMAGE_CLASSES.has(d.modelClass)).map((d) => d.deploymentName),
  );

  constructor() {
    this.store.info.reload();
    // Pick the first chat deployment, and keep max tokens within the event's cap.
    effect(() => {
      const chats = this.chatDeployments();
      const current = this.form.controls.model.value;
      if (chats.length && !chats.includes(current)) this.form.controls.model.setValue(chats[0]);
    });
    effect(() => {
      const cap = this.store.current()?.maxTokenCap;
      if (cap && this.form.controls.max_tokens.value > cap) this.form.controls.max_tokens.setValue(cap);
    });
    // Follow the answer as it streams in.
    effect(() => {
      this.session.turns();
      const el = this.log()?.nativeElement;
      if (el) queueMicrotask(() => (el.scrollTop = el.scrollHeight));
    });
  }

  onEnter(e: Event): void {
    if ((e as KeyboardEvent).shiftKey) return;
    e.preventDefault();
    void this.send();
  }

  async send(): Promise<void> {
    const text = this.input.value.trim();
    const key = this.attendee.key();
    if (!text || !key || this.session.streaming()) return;
    this.input.setValue('');
    const v = this.form.getRawValue();
    const cap = this.store.current()?.maxTokenCap ?? v.max_tokens;
    const stop = v.stop
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)
      .slice(0, 4);
    const build = (history: ChatRequest['messages']): ChatRequest => ({
      model: v.model,
      messages: v.system.trim() ? [{ role: 'system', content: v.system }, ...history] : history,
      temperature: Number(v.temperature),
      top_p: Number(v.top_p),
      max_tokens: Math.max(1, Math.min(Number(v.max_tokens) || 1, cap)),
      frequency_penalty: Number(v.frequency_penalty),
      presence_penalty: Number(v.presence_penalty),
      ...(stop.length ? { stop } : {}),
    });
    await this.session.send(text, build, (request, signal) => this.streams.stream(request, key, signal));
    this.store.info.reload();
  }

  ngOnDestroy(): void {
    this.session.stop();
  }
}
