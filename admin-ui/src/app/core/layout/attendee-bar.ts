import { ChangeDetectionStrategy, Component } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MatIconModule } from '@angular/material/icon';
import { MatToolbarModule } from '@angular/material/toolbar';
import { RouterLink, RouterLinkActive } from '@angular/router';

/** The attendee's toolbar: their key page and the Playground. */
@Component({
  selector: 'app-attendee-bar',
  imports: [RouterLink, RouterLinkActive, MatToolbarModule, MatButtonModule, MatIconModule],
  template: `
    <mat-toolbar class="bar" role="banner">
      <a class="brand" routerLink="/">AI Proxy</a>
      <nav class="nav" aria-label="Attendee">
        <a mat-button routerLink="/register/key" routerLinkActive="active" ariaCurrentWhenActive="page">
          <mat-icon svgIcon="key" aria-hidden="true" />My key
        </a>
        <a mat-button routerLink="/playground" routerLinkActive="active" ariaCurrentWhenActive="page">
          <mat-icon svgIcon="chat" aria-hidden="true" />Playground
        </a>
      </nav>
    </mat-toolbar>
  `,
  styles: `
    .bar {
      gap: 8px;
      background: var(--mat-sys-primary-container, #d7e3ff);
      color: var(--mat-sys-on-primary-container, #001b3f);
    }
    .brand {
      font-weight: 600;
      text-decoration: none;
      color: inherit;
      margin-right: 12px;
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
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class AttendeeBar {}
