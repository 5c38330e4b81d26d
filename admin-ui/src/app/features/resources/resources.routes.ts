import { Routes } from '@angular/router';

export default [
  { path: '', loadComponent: () => import('./pages/resources-list.page'), title: 'Resources · AI Proxy' },
  { path: 'new', loadComponent: () => import('./pages/resource-form.page'), title: 'New resource · AI Proxy' },
  { path: ':id', loadComponent: () => import('./pages/resource-form.page'), title: 'Edit resource · AI Proxy' },
] satisfies Routes;
