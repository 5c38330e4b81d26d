import { HttpClient, HttpErrorResponse } from '@angular/common/http';
import { ChangeDetectionStrategy, Component, inject, input, signal } from '@angular/core';
import { FormControl, FormGroup, ReactiveFormsModule, Validators } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatCardModule } from '@angular/material/card';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { Router } from '@angular/router';
import { firstValueFrom } from 'rxjs';
import { ApiClient } from '../../../core/api/api-client';
import { errorMessage } from '../../../core/api/api-error';
import { AdminSession } from '../../../core/auth/admin-session';

@Component({
  selector: 'app-sign-in-page',
  imports: [ReactiveFormsModule, MatCardModule, MatFormFieldModule, MatInputModule, MatButtonModule],
  template: `
    <main class="page center">
      <mat-card appearance="outlined" class="card">
        <mat-card-header>
          <mat-card-title><h1>Organiser sign-in</h1></mat-card-title>
        </mat-card-header>
        <mat-card-content>
          @if (expired()) {
            <p class="error-text" role="alert">Your session ended or the token is no longer valid. Sign in again.</p>
          }
          <p class="muted">Paste the admin token. <code>npm start</code> prints it, or it is the <code>ADMIN_TOKEN</code> you configured.</p>
          <form [formGroup]="form" (ngSubmit)="submit()">
            <mat-form-field appearance="outline" class="full-width">
              <mat-label>Admin token</mat-label>
              <input matInput type="password" autocomplete="current-password" formControlName="token" required />
              @if (token.hasError('required') && token.touched) {
                <mat-error>Enter the admin token.</mat-error>
              }
            </mat-form-field>
            @if (error()) {
              <p class="error-text" role="alert">{{ error() }}</p>
            }
            <button mat-flat-button type="submit" [disabled]="busy()">Sign in</button>
          </form>
        </mat-card-content>
      </mat-card>
    </main>
  `,
  styles: `
    .center {
      max-width: 480px;
      padding-top: 48px;
    }
    h1 {
      font-size: 1.4rem;
      font-weight: 500;
      margin: 0 0 8px;
    }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export default class SignInPage {
  private readonly http = inject(HttpClient);
  private readonly api = inject(ApiClient);
  private readonly session = inject(AdminSession);
  private readonly router = inject(Router);
  /** Query parameters (router input binding). */
  readonly next = input<string>();
  readonly expired = input<string>();

  protected readonly form = new FormGroup({ token: new FormControl('', { nonNullable: true, validators: [Validators.required] }) });
  protected readonly token = this.form.controls.token;
  protected readonly error = signal('');
  protected readonly busy = signal(false);

  async submit(): Promise<void> {
    this.token.markAsTouched();
    const token = this.token.value.trim();
    if (!token) return;
    this.busy.set(true);
    this.error.set('');
    try {
      // Checked directly (not through the interceptor) so a wrong token does not bounce us here again.
      await firstValueFrom(this.http.get(this.api.url('/api/v1/admin/events'), { headers: { authorization: `Bearer ${token}` } }));
      this.session.signIn(token);
      const next = this.next();
      await this.router.navigateByUrl(next && next.startsWith('/admin') ? next : '/admin/events');
    } catch (err) {
      this.error.set(err instanceof HttpErrorResponse && err.status === 401 ? 'That token was not accepted. Check it and try again.' : errorMessage(err));
    } finally {
      this.busy.set(false);
    }
  }
}
