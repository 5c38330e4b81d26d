import { ChangeDetectionStrategy, Component, inject } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MatCardModule } from '@angular/material/card';
import { MatIconModule } from '@angular/material/icon';
import { RouterLink } from '@angular/router';
import { AttendeeKey } from '../../../core/attendee/attendee-key';
import { AdminSession } from '../../../core/auth/admin-session';

@Component({
  selector: 'app-home-page',
  imports: [RouterLink, MatCardModule, MatButtonModule, MatIconModule],
  template: `
    <main class="page home">
      <h1>AI Proxy</h1>
      <p class="muted lead">Azure OpenAI and OpenAI-compatible models behind time-bound keys for events.</p>
      <div class="cards">
        <mat-card appearance="outlined">
          <mat-card-header><mat-card-title><h2>Organisers</h2></mat-card-title></mat-card-header>
          <mat-card-content>
            <p>Create events, attach deployments, manage attendees and watch usage.</p>
          </mat-card-content>
          <mat-card-actions>
            <a mat-flat-button [routerLink]="session.signedIn() ? '/admin/events' : '/admin/sign-in'">
              {{ session.signedIn() ? 'Open the admin portal' : 'Sign in as organiser' }}
            </a>
          </mat-card-actions>
        </mat-card>
        <mat-card appearance="outlined">
          <mat-card-header><mat-card-title><h2>Attendees</h2></mat-card-title></mat-card-header>
          <mat-card-content>
            <p>Register with the link your organiser shared, then try the models in the Playground.</p>
          </mat-card-content>
          <mat-card-actions>
            <a mat-flat-button routerLink="/playground">Open the Playground</a>
            @if (attendee.hasKey()) {
              <a mat-button routerLink="/register/key">My key</a>
            }
          </mat-card-actions>
        </mat-card>
      </div>
    </main>
  `,
  styles: `
    .home h1 {
      font-size: 2rem;
      font-weight: 500;
      margin: 32px 0 4px;
    }
    .lead {
      margin-bottom: 24px;
    }
    .cards {
      display: grid;
      grid-template-columns: repeat(auto-fit, minmax(280px, 1fr));
      gap: 16px;
    }
    h2 {
      margin: 0;
      font-size: 1.25rem;
      font-weight: 500;
    }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export default class HomePage {
  protected readonly session = inject(AdminSession);
  protected readonly attendee = inject(AttendeeKey);
}
