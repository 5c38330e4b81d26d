import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { ApplicationRef } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { provideRouter } from '@angular/router';
import type { EventInfo } from '../../../core/api/api-types';
import { AttendeeKey } from '../../../core/attendee/attendee-key';
import { provideIcons } from '../../../core/icons';
import PlaygroundPage from './playground.page';

const info: EventInfo = {
  eventId: 'hack',
  name: 'Hack',
  description: '',
  organizerName: '',
  organizerEmail: '',
  eventUrl: null,
  startsAt: new Date(Date.now() - 3_600_000).toISOString(),
  endsAt: new Date(Date.now() + 3_600_000).toISOString(),
  timeZone: 'UTC',
  status: 'live',
  maxTokenCap: 300,
  dailyRequestCap: 10,
  attendee: { id: 'a1', name: 'Ada', email: 'ada@example.com' },
  deployments: [
    { deploymentName: 'gpt-4o-mini', modelClass: 'openai-chat' },
    { deploymentName: 'dall-e-3', modelClass: 'openai-dall-e-3' },
  ],
  usage: { day: '2026-01-01', requests: 0, tokens: 0, remainingRequests: 10, resetsAt: new Date().toISOString() },
};

function sse(chunks: string[], status = 200): Response {
  const encoder = new TextEncoder();
  return new Response(
    new ReadableStream<Uint8Array>({
      start(c) {
        for (const chunk of chunks) c.enqueue(encoder.encode(chunk));
        c.close();
      },
    }),
    { status, headers: { 'content-type': 'text/event-stream' } },
  );
}

describe(PlaygroundPage.name, () => {
  let http: HttpTestingController;

  beforeEach(async () => {
    sessionStorage.clear();
    await TestBed.configureTestingModule({
      imports: [PlaygroundPage],
      providers: [provideHttpClient(), provideHttpClientTesting(), provideRouter([]), provideIcons()],
    }).compileComponents();
    TestBed.inject(AttendeeKey).set('aip_test');
    http = TestBed.inject(HttpTestingController);
  });
  afterEach(() => vi.unstubAllGlobals());

  /** Answers the page's GET /api/v1/eventinfo (sent with the attendee's key) once it asks. */
  async function answerEventInfo() {
    await vi.waitFor(() => {
      TestBed.tick();
      const reqs = http.match('/api/v1/eventinfo');
      expect(reqs.length).toBeGreaterThan(0);
      for (const req of reqs) {
        expect(req.request.headers.get('api-key')).toBe('aip_test');
        req.flush(info);
      }
    });
    await TestBed.inject(ApplicationRef).whenStable();
  }

  async function render() {
    const fixture = TestBed.createComponent(PlaygroundPage);
    await answerEventInfo();
    return fixture;
  }

  async function send(fixture: Awaited<ReturnType<typeof render>>, text: string) {
    const el = fixture.nativeElement as HTMLElement;
    const box = el.querySelector<HTMLTextAreaElement>('textarea[formcontrolname="text"]')!;
    box.value = text;
    box.dispatchEvent(new Event('input'));
    el.querySelector<HTMLButtonElement>('.composer button[type="submit"]')!.click();
    // The page refreshes today's usage once the answer is complete.
    await answerEventInfo();
    await fixture.whenStable();
  }

  it('streams the answer into the chat with the turn\'s token usage, within the event\'s token cap', async () => {
    const fetchMock = vi.fn().mockResolvedValue(
      sse([
        'data: {"id":"","choices":[],"prompt_filter_results":[{"prompt_index":0}]}\n\n',
        'data: {"choices":[{"delta":{"role":"assistant","content":"Hello"}}]}\n\n',
        'data: {"choices":[{"delta":{"content":", Ada"},"finish_reason":"stop"}]}\n\n',
        'data: {"choices":[],"usage":{"prompt_tokens":9,"completion_tokens":3,"total_tokens":12}}\n\ndata: [DONE]\n\n',
      ]),
    );
    vi.stubGlobal('fetch', fetchMock);
    const fixture = await render();

    await send(fixture, 'Hi there');

    const el = fixture.nativeElement as HTMLElement;
    const bubbles = [...el.querySelectorAll('.bubble')].map((b) => b.textContent?.trim());
    expect(bubbles).toEqual(['Hi there', 'Hello, Ada']);
    expect(el.querySelector('[data-testid="turn-usage"]')?.textContent).toContain('9 prompt + 3 completion = 12 tokens');
    const body = JSON.parse((fetchMock.mock.calls[0][1] as RequestInit).body as string);
    expect(body).toMatchObject({
      model: 'gpt-4o-mini',
      stream: true,
      stream_options: { include_usage: true },
      max_tokens: 300,
      messages: [
        { role: 'system', content: 'You are a helpful assistant.' },
        { role: 'user', content: 'Hi there' },
      ],
    });
  });

  it('shows the proxy\'s refusal as a sentence in the chat', async () => {
    const refusal = { error: { message: 'This API key has been revoked by the event organiser.', type: 'invalid_request_error', code: 'key_revoked', param: null } };
    vi.stubGlobal('fetch', vi.fn().mockResolvedValue(new Response(JSON.stringify(refusal), { status: 401 })));
    const fixture = await render();

    await send(fixture, 'Anyone?');

    const alert = (fixture.nativeElement as HTMLElement).querySelector('.turn-error[role="alert"]');
    expect(alert?.textContent?.trim()).toBe('This API key has been revoked by the event organiser.');
  });
});
