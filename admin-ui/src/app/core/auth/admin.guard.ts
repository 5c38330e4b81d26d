import { inject } from '@angular/core';
import { CanActivateFn, Router } from '@angular/router';
import { AdminSession } from './admin-session';

export const adminGuard: CanActivateFn = (_route, state) =>
  inject(AdminSession).signedIn() || inject(Router).createUrlTree(['/admin/sign-in'], { queryParams: { next: state.url } });
