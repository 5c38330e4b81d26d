import { Routes } from '@angular/router';

export default [{ path: '', loadComponent: () => import('./pages/playground.page'), title: 'Playground · AI Proxy' }] satisfies Routes;
