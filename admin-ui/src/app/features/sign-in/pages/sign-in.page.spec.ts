import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { ApplicationRef } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { provideRouter, Router } from '@angular/router';
import { AdminSession } from '../../../core/auth/admin-session';
import { provideIcons } from '../../../core/icons';
import SignInPage from './sign-in.page';

describe(SignInPage.name, () => {
  let http: HttpTestingController;

  beforeEach(async () => {
    sessionStorage.clear();
    await TestBed.configureTestingModule({
      imports: [SignInPage],
      providers: [provideHttpClient(), provideHttpClientTesting(), provideRouter([]), provideIcons()],
    }).compileComponents();
    http = TestBed.inject(HttpTestingController);
  });

  /** Renders the page and answers its GET /api/v1/auth/info. */
  async function render(signIn: boolean, inputs: Record<string, string> = {}) {
    const fixture = TestBed.createComponent(SignInPage);
    for (const [k, v] of Object.entries(inputs)) fixture.componentRef.setInput(k, v);
    await vi.waitFor(() => {
      TestBed.tick();
      const reqs = http.match('/api/v1/auth/info');
      expect(reqs.length).toBeGreaterThan(0);
      for (const req of reqs) req.flush({ entra: { enabled: signIn, signIn } });
    });
    fixture.detectChanges();
    return fixture;
  }

  it('offers "Sign in with Microsoft" when the server has Entra ID sign-in, linking to the login route', async () => {
    const fixture = await render(true, { next: '/admin/resources' });
    await TestBed.inject(ApplicationRef).whenStable();
    const link = (fixture.nativeElement as HTMLElement).querySelector<HTMLAnchorElement>('a.microsoft');
    expect(link?.textContent).toContain('Sign in with Microsoft');
    const url = new URL(link!.href);
    expect(url.pathname).toBe('/api/v1/auth/login');
    expect(url.searchParams.get('returnTo')).toBe('/admin/sign-in?entra=1&next=%2Fadmin%2Fresources');
    // The admin token stays available for administrators and automation.
    expect((fixture.nativeElement as HTMLElement).querySelector('input[type=password]')).not.toBeNull();
  });

  it('shows only the admin-token prompt without Entra ID', async () => {
    const fixture = await render(false);
    await TestBed.inject(ApplicationRef).whenStable();
    expect((fixture.nativeElement as HTMLElement).querySelector('a.microsoft')).toBeNull();
    expect((fixture.nativeElement as HTMLElement).querySelector('input[type=password]')).not.toBeNull();
  });

  it('on the way back from Microsoft, checks the cookie session and goes on', async () => {
    const navigate = vi.spyOn(TestBed.inject(Router), 'navigateByUrl').mockResolvedValue(true);
    await render(true, { entra: '1', next: '/admin/events/hack' });
    await vi.waitFor(() => http.expectOne('/api/v1/auth/me').flush({ method: 'entra-session', role: 'organiser', organiser: null }));
    await vi.waitFor(() => expect(navigate).toHaveBeenCalledWith('/admin/events/hack'));
    expect(TestBed.inject(AdminSession).usesCookie()).toBe(true);
    expect(TestBed.inject(AdminSession).signedIn()).toBe(true);
  });

  it('explains a refused Microsoft sign-in', async () => {
    const fixture = await render(true, { signInError: 'denied' });
    await TestBed.inject(ApplicationRef).whenStable();
    expect((fixture.nativeElement as HTMLElement).textContent).toContain('Microsoft sign-in was cancelled');
  });
});
