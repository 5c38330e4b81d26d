import { ChangeDetectionStrategy, Component, effect, inject, input, OnDestroy, output, signal } from '@angular/core';
import { FormControl, FormGroup, ReactiveFormsModule, Validators } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { MatSelectModule } from '@angular/material/select';
import { ChatStreamService } from '../data/chat-stream.service';

/** The Playground's images tab: a prompt and a size for an image deployment. */
@Component({
  selector: 'app-images-panel',
  imports: [ReactiveFormsModule, MatFormFieldModule, MatInputModule, MatSelectModule, MatButtonModule, MatProgressBarModule],
  template: `
    @if (deployments().length === 0) {
      <p class="muted">No image deployment is attached to this event.</p>
    } @else {
      <form [formGroup]="form" (ngSubmit)="generate()">
        <div class="form-grid">
          <mat-form-field appearance="outline">
            <mat-label>Image deployment</mat-label>
            <mat-select formControlName="model">
              @for (d of deployments(); track d) {
                <mat-option [value]="d">{{ d }}</mat-option>
              }
            </mat-select>
          </mat-form-field>
          <mat-form-field appearance="outline">
            <mat-label>Size</mat-label>
            <mat-select formControlName="size">
              @for (s of sizes; track s) {
                <mat-option [value]="s">{{ s }}</mat-option>
              }
            </mat-select>
          </mat-form-field>
        </div>
        <mat-form-field appearance="outline" class="full-width">
          <mat-label>Describe the image</mat-label>
          <textarea matInput formControlName="prompt" rows="3" required></textarea>
        </mat-form-field>
        <div class="row">
          @if (busy()) {
            <button mat-stroked-button type="button" (click)="stop()">Stop</button>
          } @else {
            <button mat-flat-button type="submit">Generate</button>
          }
        </div>
      </form>
      @if (busy()) {
        <mat-progress-bar mode="indeterminate" aria-label="Generating" />
      }
      @if (error()) {
        <p class="error-text" role="alert">{{ error() }}</p>
      }
      <div class="images">
        @for (src of images(); track $index) {
          <img [src]="src" [alt]="'Generated image for: ' + lastPrompt()" />
        }
      </div>
    }
  `,
  styles: `
    .images {
      display: flex;
      flex-wrap: wrap;
      gap: 12px;
      margin-top: 12px;
    }
    .images img {
      max-width: 100%;
      width: 320px;
      min-height: 64px;
      border-radius: 8px;
      border: 1px solid var(--mat-sys-outline-variant, #ccc);
      background: repeating-conic-gradient(#eee 0 25%, #fff 0 50%) 0 0 / 16px 16px;
      image-rendering: pixelated;
    }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class ImagesPanel implements OnDestroy {
  private readonly service = inject(ChatStreamService);
  readonly deployments = input.required<string[]>();
  readonly apiKey = input.required<string>();
  /** A request went out (for the page to refresh today's usage). */
  readonly used = output<void>();
  protected readonly sizes = ['1024x1024', '1792x1024', '1024x1792'];
  protected readonly form = new FormGroup({
    model: new FormControl('', { nonNullable: true }),
    size: new FormControl('1024x1024', { nonNullable: true }),
    prompt: new FormControl('', { nonNullable: true, validators: [Validators.required] }),
  });
  protected readonly busy = signal(false);
  protected readonly error = signal('');
  protected readonly images = signal<string[]>([]);
  protected readonly lastPrompt = signal('');
  private controller: AbortController | null = null;

  constructor() {
    // Preselect the first image deployment (and follow the list if it changes).
    effect(() => {
      const list = this.deployments();
      if (list.length && !list.includes(this.form.controls.model.value)) this.form.controls.model.setValue(list[0]);
    });
  }

  async generate(): Promise<void> {
    const v = this.form.getRawValue();
    const model = v.model;
    if (!v.prompt.trim() || !model) return;
    this.controller = new AbortController();
    this.busy.set(true);
    this.error.set('');
    try {
      this.images.set(await this.service.generateImages({ model, prompt: v.prompt, size: v.size, n: 1 }, this.apiKey(), this.controller.signal));
      this.lastPrompt.set(v.prompt);
    } catch (err) {
      if (!this.controller.signal.aborted) this.error.set(err instanceof Error ? err.message : String(err));
    } finally {
      this.busy.set(false);
      this.used.emit();
    }
  }

  stop(): void {
    this.controller?.abort();
  }

  ngOnDestroy(): void {
    this.stop();
  }
}
