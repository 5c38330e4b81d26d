import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { ApplicationRef } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { provideRouter, Router } from '@angular/router';
import type { SelfStatus } from '../../../core/api/api-types';
import { AttendeeKey } from '../../../core/attendee/attendee-key';
import { SignedInAttendee } from './signed-in-attendee';

const STATUS_URL = '/api/v1/attendee/event/hack';

const mine: SelfStatus = {
  api_key: null,
  key_prefix: 'aip_AbCdEfGh',
  active: true,
  attendee_id: 'a1',
  event_id: 'hack',
  name: 'Octo Cat',
  email: 'octo@example.org',
  identity: { provider: 'github', login: 'octocat' },
  key_rotated_at: new Date().toISOString(),
  usage: {
    day: '2026-01-01',
    requests: 3,
    tokens: 1234,
    daily_request_cap: 10,
    remaining_requests: 7,
    max_token_cap: 300,
    resets_at: new Date(Date.now() + 3_600_000).toISOString(),
  },
  endpoints: { azure_openai: 'http://localhost', openai: 'http://localhost/v1' },
};

describe(SignedInAttendee.name, () => {
  let http: HttpTestingController;

  beforeEach(async () => {
    sessionStorage.clear();
    await TestBed.configureTestingModule({
      imports: [SignedInAttendee],
      providers: [provideHttpClient(), provideHttpClientTesting(), provideRouter([])],
    }).compileComponents();
    http = TestBed.inject(HttpTestingController);
  });

  async function render(answer: { status: number; body: object }, signInError?: string) {
    const fixture = TestBed.createComponent(SignedInAttendee);
    fixture.componentRef.setInput('eventId', 'hack');
    fixture.componentRef.setInput('eventName', 'Hack');
    if (signInError) fixture.componentRef.setInput('signInError', signInError);
    await vi.waitFor(() => {
      TestBed.tick();
      const req = http.expectOne(STATUS_URL);
      req.flush(answer.body, { status: answer.status, statusText: answer.status === 200 ? 'OK' : 'Error' });
    });
    await TestBed.inject(ApplicationRef).whenStable();
    return fixture.nativeElement as HTMLElement;
  }

  it('offers GitHub sign-in when nobody is signed in, and explains a failed one', async () => {
    const el = await render({ status: 401, body: { code: 'attendee_sign_in_required', message: 'Sign in first' } }, 'state_mismatch');

    const link = el.querySelector<HTMLAnchorElement>('a[href]')!;
    expect(link.textContent?.trim()).toBe('Sign in with GitHub');
    expect(link.getAttribute('href')).toBe('/api/v1/attendee/auth/github/login?event=hack');
    expect(el.querySelector('[role="alert"]')?.textContent).toContain('did not start in this browser');
  });

  it('shows a signed-in attendee the key prefix and today\'s usage, never a full key', async () => {
    const el = await render({ status: 200, body: mine });

    expect(el.querySelector('[data-testid="key-prefix"]')?.textContent).toBe('aip_AbCdEfGh…');
    expect(el.textContent).toContain('Signed in as octocat (octo@example.org)');
    expect(el.textContent).toContain('Today: 3 of 10 requests');
    expect(el.textContent).toContain('Up to 300 tokens per request');
  });

  it('rotates the key and shows the new one once on the key page', async () => {
    const navigate = vi.spyOn(TestBed.inject(Router), 'navigate').mockResolvedValue(true);
    const el = await render({ status: 200, body: mine });

    [...el.querySelectorAll('button')].find((b) => b.textContent?.includes('Rotate my key'))!.click();
    const req = http.expectOne({ method: 'POST', url: '/api/v1/attendee/event/hack/rotate' });
    req.flush({ api_key: 'aip_new-key', key_prefix: 'aip_new-key', attendee_id: 'a1' }, { status: 201, statusText: 'Created' });
    await vi.waitFor(() => expect(navigate).toHaveBeenCalledWith(['/register/key']));

    const attendee = TestBed.inject(AttendeeKey);
    expect(attendee.key()).toBe('aip_new-key');
    expect(attendee.fresh()).toEqual({ apiKey: 'aip_new-key', eventName: 'Hack', rotated: true });
  });

  it('lets a signed-in identity that has not registered get its key', async () => {
    const navigate = vi.spyOn(TestBed.inject(Router), 'navigate').mockResolvedValue(true);
    const el = await render({ status: 404, body: { code: 'attendee_not_found', message: 'not registered' } });

    [...el.querySelectorAll('button')].find((b) => b.textContent?.includes('Get my key'))!.click();
    http.expectOne({ method: 'POST', url: '/api/v1/attendee/event/hack/register' }).flush(
      { ...mine, api_key: 'aip_first-key', message: undefined },
      { status: 201, statusText: 'Created' },
    );
    await vi.waitFor(() => expect(navigate).toHaveBeenCalledWith(['/register/key']));

    expect(TestBed.inject(AttendeeKey).fresh()).toEqual({ apiKey: 'aip_first-key', eventName: 'Hack', rotated: false });
  });
});
