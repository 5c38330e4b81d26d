import { httpResource } from '@angular/common/http';
import { ChangeDetectionStrategy, Component, effect, inject, input, signal } from '@angular/core';
import { toSignal } from '@angular/core/rxjs-interop';
import { FormControl, FormGroup, ReactiveFormsModule, Validators } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatCheckboxModule } from '@angular/material/checkbox';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { MatSelectModule } from '@angular/material/select';
import { MatSlideToggleModule } from '@angular/material/slide-toggle';
import { Router, RouterLink } from '@angular/router';
import { ApiClient } from '../../../core/api/api-client';
import { errorMessage } from '../../../core/api/api-error';
import type { CreateResourceBody, ModelClass, ResourceResponse, UpdateResourceBody, UpstreamKind } from '../../../core/api/api-types';
import { MODEL_CLASSES, UPSTREAM_LABELS, UPSTREAMS } from '../data/resource-options';
import { ConnectionTests } from '../data/connection-tests';

const optionalInt = (max: number) => [Validators.min(1), Validators.max(max), Validators.pattern(/^\d*$/)];

@Component({
  selector: 'app-resource-form-page',
  imports: [
    ReactiveFormsModule,
    RouterLink,
    MatFormFieldModule,
    MatInputModule,
    MatSelectModule,
    MatButtonModule,
    MatSlideToggleModule,
    MatCheckboxModule,
  ],
  template: `
    <div class="page">
      <header class="page-header">
        <h1>{{ id() ? 'Edit resource' : 'New resource' }}</h1>
      </header>
      @if (existing.error(); as err) {
        <p class="error-text" role="alert">{{ message(err) }}</p>
      }
      <form [formGroup]="form" (ngSubmit)="save()" class="form">
        <div class="form-grid">
          <mat-form-field appearance="outline">
            <mat-label>Name</mat-label>
            <input matInput formControlName="name" required />
            <mat-error>Give the resource a name.</mat-error>
          </mat-form-field>
          <mat-form-field appearance="outline">
            <mat-label>Deployment name</mat-label>
            <input matInput formControlName="deploymentName" required />
            <mat-hint>The name attendees ask for (Azure deployment or model)</mat-hint>
            <mat-error>Letters, digits, dots, dashes or underscores.</mat-error>
          </mat-form-field>
          <mat-form-field appearance="outline">
            <mat-label>Model class</mat-label>
            <mat-select formControlName="modelClass">
              @for (c of modelClasses; track c) {
                <mat-option [value]="c">{{ c }}</mat-option>
              }
            </mat-select>
          </mat-form-field>
          <mat-form-field appearance="outline">
            <mat-label>Upstream</mat-label>
            <mat-select formControlName="upstream">
              @for (u of upstreams; track u) {
                <mat-option [value]="u">{{ upstreamLabels[u] }}</mat-option>
              }
            </mat-select>
          </mat-form-field>
          <mat-form-field appearance="outline">
            <mat-label>Endpoint URL{{ upstream() === 'simulator' ? ' (optional)' : '' }}</mat-label>
            <input matInput type="url" formControlName="endpointUrl" placeholder="https://my-resource.openai.azure.com" />
            <mat-error>An http(s) URL is needed for Azure and OpenAI-compatible upstreams.</mat-error>
          </mat-form-field>
          <mat-form-field appearance="outline">
            <mat-label>{{ hint() ? 'Replace API key' : 'API key' }}</mat-label>
            <input matInput type="password" formControlName="apiKey" autocomplete="off" />
            <mat-hint>{{ hint() ? 'Current key ends in ' + hint() + '. Leave empty to keep it.' : 'Write-only: it is never shown again' }}</mat-hint>
          </mat-form-field>
          @if (upstream() === 'azure') {
            <mat-form-field appearance="outline">
              <mat-label>API version (optional)</mat-label>
              <input matInput formControlName="apiVersion" placeholder="2024-10-21" />
            </mat-form-field>
          }
          @if (upstream() === 'openai') {
            <mat-form-field appearance="outline">
              <mat-label>Upstream model name (optional)</mat-label>
              <input matInput formControlName="modelName" />
            </mat-form-field>
          }
          <mat-form-field appearance="outline">
            <mat-label>Tokens per minute (TPM)</mat-label>
            <input matInput type="number" min="1" formControlName="tokensPerMinute" />
            <mat-hint>The deployment's quota; used by the capacity planner</mat-hint>
          </mat-form-field>
          <mat-form-field appearance="outline">
            <mat-label>Requests per minute (RPM)</mat-label>
            <input matInput type="number" min="1" formControlName="requestsPerMinute" />
          </mat-form-field>
          <mat-form-field appearance="outline">
            <mat-label>Priority</mat-label>
            <input matInput type="number" min="0" formControlName="priority" />
            <mat-hint>Lower is preferred; higher tiers are failover</mat-hint>
          </mat-form-field>
          <mat-form-field appearance="outline">
            <mat-label>Weight</mat-label>
            <input matInput type="number" min="1" formControlName="weight" />
          </mat-form-field>
        </div>
        @if (hint()) {
          <mat-checkbox formControlName="removeKey">Remove the stored key</mat-checkbox>
        }
        <mat-slide-toggle formControlName="active">Active</mat-slide-toggle>
        @if (error()) {
          <p class="error-text" role="alert">{{ error() }}</p>
        }
        <div class="row">
          <button mat-flat-button type="submit" [disabled]="busy()">{{ id() ? 'Save changes' : 'Create resource' }}</button>
          <a mat-button routerLink="/admin/resources">Cancel</a>
          @if (id()) {
            <span class="spacer"></span>
            <button mat-button type="button" class="danger" (click)="remove()">Delete resource</button>
          }
        </div>
      </form>
    </div>
  `,
  styles: `
    .form {
      max-width: 900px;
    }
    mat-slide-toggle,
    mat-checkbox {
      display: block;
      margin: 12px 0;
    }
    .danger {
      color: var(--mat-sys-error, #b3261e);
    }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export default class ResourceFormPage {
  private readonly api = inject(ApiClient);
  private readonly router = inject(Router);
  private readonly tests = inject(ConnectionTests);
  readonly id = input<string>();

  protected readonly modelClasses = MODEL_CLASSES;
  protected readonly upstreams = UPSTREAMS;
  protected readonly upstreamLabels = UPSTREAM_LABELS;
  protected readonly message = errorMessage;
  protected readonly error = signal('');
  protected readonly busy = signal(false);
  protected readonly hint = signal<string | null>(null);

  protected readonly form = new FormGroup({
    name: new FormControl('', { nonNullable: true, validators: [Validators.required, Validators.maxLength(200)] }),
    deploymentName: new FormControl('', {
      nonNullable: true,
      validators: [Validators.required, Validators.pattern(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/)],
    }),
    modelClass: new FormControl<ModelClass>('openai-chat', { nonNullable: true }),
    upstream: new FormControl<UpstreamKind>('azure', { nonNullable: true }),
    endpointUrl: new FormControl('', { nonNullable: true, validators: [Validators.pattern(/^https?:\/\/\S+$/)] }),
    apiKey: new FormControl('', { nonNullable: true }),
    removeKey: new FormControl(false, { nonNullable: true }),
    apiVersion: new FormControl('', { nonNullable: true }),
    modelName: new FormControl('', { nonNullable: true }),
    tokensPerMinute: new FormControl<number | null>(null, { validators: optionalInt(1_000_000_000) }),
    requestsPerMinute: new FormControl<number | null>(null, { validators: optionalInt(10_000_000) }),
    priority: new FormControl(0, { nonNullable: true, validators: [Validators.min(0), Validators.max(1000)] }),
    weight: new FormControl(1, { nonNullable: true, validators: [Validators.min(1), Validators.max(1000)] }),
    active: new FormControl(true, { nonNullable: true }),
  });
  protected readonly upstream = toSignal(this.form.controls.upstream.valueChanges, { initialValue: this.form.controls.upstream.value });

  protected readonly existing = httpResource<ResourceResponse>(() => {
    const id = this.id();
    return id ? this.api.url('/api/v1/admin/resources/{id}', { id }) : undefined;
  });

  constructor() {
    effect(() => {
      if (!this.existing.hasValue()) return;
      const r = this.existing.value();
      this.hint.set(r.hasApiKey ? r.apiKeyHint : null);
      this.form.patchValue({
        name: r.name,
        deploymentName: r.deploymentName,
        modelClass: r.modelClass,
        upstream: r.upstream,
        endpointUrl: r.endpointUrl,
        apiVersion: r.apiVersion ?? '',
        modelName: r.modelName ?? '',
        tokensPerMinute: r.tokensPerMinute,
        requestsPerMinute: r.requestsPerMinute,
        priority: r.priority,
        weight: r.weight,
        active: r.active,
      });
    });
  }

  async save(): Promise<void> {
    this.form.markAllAsTouched();
    const v = this.form.getRawValue();
    if (v.upstream !== 'simulator' && !v.endpointUrl) this.form.controls.endpointUrl.setErrors({ required: true });
    if (this.form.invalid) {
      this.error.set('Some fields need attention.');
      return;
    }
    const num = (x: number | null) => (x === null || String(x) === '' ? null : Number(x));
    const common = {
      name: v.name.trim(),
      deploymentName: v.deploymentName.trim(),
      modelClass: v.modelClass,
      upstream: v.upstream,
      priority: Number(v.priority),
      weight: Number(v.weight),
      tokensPerMinute: num(v.tokensPerMinute),
      requestsPerMinute: num(v.requestsPerMinute),
      active: v.active,
      ...(v.endpointUrl ? { endpointUrl: v.endpointUrl.trim() } : {}),
    };
    this.busy.set(true);
    this.error.set('');
    try {
      const id = this.id();
      if (id) {
        const body: UpdateResourceBody = {
          ...common,
          apiVersion: v.apiVersion || null,
          modelName: v.modelName || null,
          ...(v.removeKey ? { apiKey: null } : v.apiKey ? { apiKey: v.apiKey } : {}),
        };
        await this.api.patch('/api/v1/admin/resources/{id}', { path: { id }, body });
        // A test of the old settings says nothing about the new ones.
        this.tests.clear(id);
      } else {
        const body: CreateResourceBody = {
          ...common,
          ...(v.apiKey ? { apiKey: v.apiKey } : {}),
          ...(v.apiVersion ? { apiVersion: v.apiVersion } : {}),
          ...(v.modelName ? { modelName: v.modelName } : {}),
        };
        await this.api.post('/api/v1/admin/resources', { body });
      }
      await this.router.navigate(['/admin/resources']);
    } catch (err) {
      this.error.set(errorMessage(err));
    } finally {
      this.busy.set(false);
    }
  }

  async remove(): Promise<void> {
    const id = this.id();
    if (!id || !confirm('Delete this resource? Events using it lose this deployment.')) return;
    try {
      await this.api.delete('/api/v1/admin/resources/{id}', { path: { id } });
      await this.router.navigate(['/admin/resources']);
    } catch (err) {
      this.error.set(errorMessage(err));
    }
  }
}
