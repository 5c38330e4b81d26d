import { HttpErrorResponse, HttpInterceptorFn } from '@angular/common/http';
import { inject } from '@angular/core';
import { Router } from '@angular/router';
import { catchError, throwError } from 'rxjs';
import { AdminSession } from './admin-session';

const ADMIN_PREFIX = '/api/v1/admin/';

/** Adds the admin token to admin API calls; a 401 there means the token is wrong or gone: sign in again. */
export const adminAuthInterceptor: HttpInterceptorFn = (req, next) => {
  // A request that brings its own token (the sign-in check) is left alone.
  if (!req.url.startsWith(ADMIN_PREFIX) || req.headers.has('authorization')) return next(req);
  const session = inject(AdminSession);
  const router = inject(Router);
  const token = session.token();
  const authed = token ? req.clone({ setHeaders: { authorization: `Bearer ${token}` } }) : req;
  return next(authed).pipe(
    catchError((err: unknown) => {
      if (err instanceof HttpErrorResponse && err.status === 401) {
        session.signOut();
        void router.navigate(['/admin/sign-in'], { queryParams: { expired: 1 } });
      }
      return throwError(() => err);
    }),
  );
};
