import { Routes } from '@angular/router';

export default [
  { path: '', loadComponent: () => import('./pages/events-list.page'), title: 'Events · AI Proxy' },
  { path: 'new', loadComponent: () => import('./pages/event-form.page'), title: 'New event · AI Proxy' },
  { path: ':eventId/edit', loadComponent: () => import('./pages/event-form.page'), title: 'Edit event · AI Proxy' },
  {
    path: ':eventId',
    loadComponent: () => import('./pages/event-detail.page'),
    children: [
      { path: '', pathMatch: 'full', redirectTo: 'overview' },
      { path: 'overview', loadComponent: () => import('./pages/event-overview.page'), title: 'Event · AI Proxy' },
      { path: 'deployments', loadComponent: () => import('./pages/event-deployments.page'), title: 'Deployments · AI Proxy' },
      { path: 'attendees', loadComponent: () => import('../attendees/pages/attendees.page'), title: 'Attendees · AI Proxy' },
      { path: 'usage', loadComponent: () => import('../usage/pages/usage.page'), title: 'Usage · AI Proxy' },
      { path: 'capacity', loadComponent: () => import('../capacity/pages/capacity.page'), title: 'Capacity · AI Proxy' },
    ],
  },
] satisfies Routes;
