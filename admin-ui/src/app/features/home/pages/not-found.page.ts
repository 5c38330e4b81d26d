import { ChangeDetectionStrategy, Component } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { RouterLink } from '@angular/router';

@Component({
  selector: 'app-not-found-page',
  imports: [RouterLink, MatButtonModule],
  template: `
    <main class="page">
      <h1>Page not found</h1>
      <p>There is nothing at this address. Check the link you were given.</p>
      <a mat-flat-button routerLink="/">Go to the start page</a>
    </main>
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export default class NotFoundPage {}
