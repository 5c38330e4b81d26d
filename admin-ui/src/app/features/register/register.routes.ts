import { Routes } from '@angular/router';

export default [
  { path: 'key', loadComponent: () => import('./pages/my-key.page'), title: 'My key · AI Proxy' },
  { path: ':eventId', loadComponent: () => import('./pages/register.page'), title: 'Register · AI Proxy' },
] satisfies Routes;
