import { ChangeDetectionStrategy, Component, inject } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MatIconModule } from '@angular/material/icon';
import { MatToolbarModule } from '@angular/material/toolbar';
import { Router, RouterLink, RouterLinkActive, RouterOutlet } from '@angular/router';
import { ApiClient } from '../api/api-client';
import { AdminSession } from '../auth/admin-session';

/** The organiser's frame: a toolbar with the sections and sign-out. */
@Component({
  selector: 'app-admin-shell',
  imports: [RouterOutlet, RouterLink, RouterLinkActive, MatToolbarModule, MatButtonModule, MatIconModule],
  template: `
    <mat-toolbar class="bar" role="banner">
      <a class="brand" routerLink="/admin/events">AI Proxy</a>
      <nav class="nav" aria-label="Sections">
        <a mat-button routerLink="/admin/events" routerLinkActive="active" ariaCurrentWhenActive="page">
          <mat-icon svgIcon="event" aria-hidden="true" />Events
        </a>
        <a mat-button routerLink="/admin/resources" routerLinkActive="active" ariaCurrentWhenActive="page">
          <mat-icon svgIcon="dns" aria-hidden="true" />Resources
        </a>
        <a mat-button href="/docs" target="_blank" rel="noopener" class="hide-phone">
          <mat-icon svgIcon="open_in_new" aria-hidden="true" />API docs
        </a>
      </nav>
      <span class="spacer"></span>
      <button mat-button type="button" (click)="signOut()">
        <mat-icon svgIcon="logout" aria-hidden="true" /><span class="hide-phone">Sign out</span>
        <span class="visually-hidden">Sign out</span>
      </button>
    </mat-toolbar>
    <main id="main">
      <router-outlet />
    </main>
  `,
  styles: `
    .bar {
      position: sticky;
      top: 0;
      z-index: 10;
      gap: 8px;
      background: var(--mat-sys-primary-container, #d7e3ff);
      color: var(--mat-sys-on-primary-container, #001b3f);
      overflow-x: auto;
    }
    .brand {
      font-weight: 600;
      text-decoration: none;
      color: inherit;
      margin-right: 12px;
      white-space: nowrap;
    }
    .nav {
      display: flex;
      gap: 4px;
    }
    .nav a.active {
      background: rgba(0, 0, 0, 0.08);
    }
    mat-icon {
      margin-right: 4px;
    }
    @media (max-width: 600px) {
      .brand {
        display: none;
      }
    }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export default class AdminShell {
  private readonly session = inject(AdminSession);
  private readonly router = inject(Router);
  private readonly api = inject(ApiClient);

  async signOut(): Promise<void> {
    // The Microsoft sign-in lives in an HttpOnly cookie only the server can clear.
    if (this.session.usesCookie()) await this.api.post('/api/v1/auth/logout', {}).catch(() => undefined);
    this.session.signOut();
    await this.router.navigate(['/admin/sign-in']);
  }
}
