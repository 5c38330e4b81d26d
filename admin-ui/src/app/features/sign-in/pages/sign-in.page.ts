import { HttpClient, HttpErrorResponse, httpResource } from '@angular/common/http';
import { ChangeDetectionStrategy, Component, computed, inject, input, OnInit, signal } from '@angular/core';
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
          @if (signInError()) {
            <p class="error-text" role="alert">{{ signInErrorText() }}</p>
          }
          @if (microsoft()) {
            <a mat-flat-button class="microsoft" [href]="loginUrl()">Sign in with Microsoft</a>
            <p class="muted or">Or, for automation and administrators, use the admin token:</p>
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
    .microsoft {
      margin: 8px 0 16px;
    }
    .or {
      margin-top: 8px;
    }
    h1 {
      font-size: 1.4rem;
      font-weight: 500;
      margin: 0 0 8px;
    }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export default class SignInPage implements OnInit {
  private readonly http = inject(HttpClient);
  private readonly api = inject(ApiClient);
  private readonly session = inject(AdminSession);
  private readonly router = inject(Router);
  /** Query parameters (router input binding). */
  readonly next = input<string>();
  readonly expired = input<string>();
  /** Set by the server when Microsoft sign-in did not complete (denied, failed, expired). */
  readonly signInError = input<string>();
  /** Set on the way back from Microsoft: the session cookie is there to be checked. */
  readonly entra = input<string>();

  /** Which sign-in methods the server offers: the Microsoft button only when Entra ID is configured. */
  private readonly info = httpResource<{ entra: { enabled: boolean; signIn: boolean } }>(() => this.api.url('/api/v1/auth/info'));
  protected readonly microsoft = computed(() => this.info.hasValue() && this.info.value().entra.signIn);
  protected readonly loginUrl = computed(() => {
    const back = `/admin/sign-in?entra=1&next=${encodeURIComponent(this.safeNext())}`;
    return this.api.url('/api/v1/auth/login', undefined, { returnTo: back });
  });
  protected readonly signInErrorText = computed(() =>
    this.signInError() === 'denied'
      ? 'Microsoft sign-in was cancelled or not allowed for this app.'
      : this.signInError() === 'expired'
        ? 'The sign-in took too long. Try again.'
        : 'Microsoft sign-in did not complete. Try again, or ask an administrator to check the app registration.',
  );

  protected readonly form = new FormGroup({ token: new FormControl('', { nonNullable: true, validators: [Validators.required] }) });
  protected readonly token = this.form.controls.token;
  protected readonly error = signal('');
  protected readonly busy = signal(false);

  async ngOnInit(): Promise<void> {
    if (!this.entra() || this.signInError()) return;
    try {
      // The cookie is HttpOnly: asking who we are is how the portal learns the sign-in worked.
      await firstValueFrom(this.http.get(this.api.url('/api/v1/auth/me')));
      this.session.signedInWithCookie();
      await this.router.navigateByUrl(this.safeNext());
    } catch (err) {
      this.error.set(errorMessage(err));
    }
  }

  private safeNext(): string {
    const next = this.next();
    return next && next.startsWith('/admin') ? next : '/admin/events';
  }

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
      await this.router.navigateByUrl(this.safeNext());
    } catch (err) {
      this.error.set(err instanceof HttpErrorResponse && err.status === 401 ? 'That token was not accepted. Check it and try again.' : errorMessage(err));
    } finally {
      this.busy.set(false);
    }
  }
}
