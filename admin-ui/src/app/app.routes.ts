import { Routes } from '@angular/router';
import { adminGuard } from './core/auth/admin.guard';

export const routes: Routes = [
  { path: '', pathMatch: 'full', loadComponent: () => import('./features/home/pages/home.page'), title: 'AI Proxy' },
  { path: 'admin/sign-in', loadComponent: () => import('./features/sign-in/pages/sign-in.page'), title: 'Sign in · AI Proxy' },
  {
    path: 'admin',
    canActivate: [adminGuard],
    loadComponent: () => import('./core/layout/admin-shell'),
    children: [
      { path: '', pathMatch: 'full', redirectTo: 'events' },
      { path: 'events', loadChildren: () => import('./features/events/events.routes') },
      { path: 'resources', loadChildren: () => import('./features/resources/resources.routes') },
    ],
  },
  { path: 'register', loadChildren: () => import('./features/register/register.routes') },
  { path: 'playground', loadChildren: () => import('./features/playground/playground.routes') },
  { path: '**', loadComponent: () => import('./features/home/pages/not-found.page'), title: 'Not found · AI Proxy' },
];
