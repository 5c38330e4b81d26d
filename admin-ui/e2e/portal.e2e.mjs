// End-to-end test of the portal in Debian Chromium (playwright-core) against the real backend on a fresh
// PGlite data directory with the built-in simulator. Needs the backend built (`npm run build`) and the
// portal built (`npm run build:ui`); the root `npm run test:ui` does both.
//
// Organiser signs in, creates a simulator resource and an event, attaches the deployment; an attendee
// registers, copies the key, chats in the Playground (streamed answer, token usage); the organiser sees
// the request on the dashboard; revoking the key makes the Playground say so. Every page is
// screenshotted at 1280×800 and at phone size into e2e/artifacts/, and checked with axe-core.
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { repoRoot, startBackend } from '../scripts/start-backend.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const artifacts = join(here, 'artifacts');
const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
// A second simulated upstream in this process, for a wrong key and a 429 (the built-in one is not reachable from here).
const { startSimulator } = require(join(repoRoot, 'dist', 'src', 'simulator', 'simulator.app.js'));
const SIM_KEY = 'e2e-upstream-key-5150';
const WRONG_KEY = 'e2e-wrong-upstream-key-9876';
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };
const TIMEOUT = 20_000;

/**
 * GitHub's OAuth and user endpoints on loopback: consent is instant, the code is single-use and bound to the
 * PKCE challenge, as on GitHub. The backend talks to it through GITHUB_OAUTH_BASE_URL / GITHUB_API_BASE_URL.
 */
async function startGitHubStandIn() {
  const codes = new Map();
  const tokens = new Set();
  const user = { id: 583231, login: 'octocat', name: 'The Octocat' };
  const json = (res, status, body) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  const server = createServer(async (req, res) => {
    const url = new URL(req.url, 'http://stand-in');
    if (url.pathname === '/login/oauth/authorize') {
      const code = randomBytes(8).toString('hex');
      codes.set(code, url.searchParams.get('code_challenge'));
      const back = new URL(url.searchParams.get('redirect_uri'));
      back.searchParams.set('code', code);
      back.searchParams.set('state', url.searchParams.get('state'));
      return res.writeHead(302, { location: back.toString() }).end();
    }
    if (url.pathname === '/login/oauth/access_token') {
      let text = '';
      for await (const chunk of req) text += chunk;
      const form = new URLSearchParams(text);
      const challenge = codes.get(form.get('code'));
      codes.delete(form.get('code'));
      if (!challenge || createHash('sha256').update(form.get('code_verifier') ?? '').digest('base64url') !== challenge) {
        return json(res, 200, { error: 'bad_verification_code' });
      }
      const token = randomBytes(8).toString('hex');
      tokens.add(token);
      return json(res, 200, { access_token: token, token_type: 'bearer' });
    }
    if (!tokens.has((req.headers.authorization ?? '').replace(/^Bearer /, ''))) return json(res, 401, { message: 'Bad credentials' });
    if (url.pathname === '/api/user') return json(res, 200, user);
    if (url.pathname === '/api/user/emails') return json(res, 200, [{ email: 'octocat@example.org', primary: true, verified: true }]);
    json(res, 404, { message: 'Not Found' });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${server.address().port}`;
  return {
    env: { GITHUB_CLIENT_ID: 'e2e-client', GITHUB_CLIENT_SECRET: 'e2e-client-secret', GITHUB_OAUTH_BASE_URL: origin, GITHUB_API_BASE_URL: `${origin}/api` },
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

const results = [];
const a11y = [];

async function step(name, fn) {
  const started = Date.now();
  try {
    await fn();
    results.push({ name, ok: true });
    process.stdout.write(`  ✓ ${name} (${Date.now() - started} ms)\n`);
  } catch (err) {
    results.push({ name, ok: false, err });
    process.stdout.write(`  ✗ ${name}\n    ${String(err?.stack ?? err).split('\n').slice(0, 6).join('\n    ')}\n`);
    throw err;
  }
}

function assert(condition, message) {
  if (!condition) throw new Error(message);
}

/** Screenshot, no sideways scrolling, and an axe-core run (WCAG 2 A/AA); serious and critical violations fail the test. */
async function capture(page, name) {
  await page.evaluate(() => document.fonts.ready);
  // From the top, so the sticky toolbar is drawn where it belongs in a full-page shot.
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: join(artifacts, `${name}.png`), fullPage: true });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert(overflow <= 0, `${name}: the page is ${overflow}px wider than the screen`);
  // Evaluated through the DevTools protocol: the portal's CSP (script-src 'self') rightly refuses an inline script tag.
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const r = await window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => n.target.join(' ')).slice(0, 5) }));
  });
  for (const v of violations) a11y.push({ page: name, ...v });
}

async function main() {
  rmSync(artifacts, { recursive: true, force: true });
  mkdirSync(artifacts, { recursive: true });
  const github = await startGitHubStandIn();
  const backend = await startBackend({ env: github.env });
  const sim = await startSimulator({ apiKey: SIM_KEY, host: '127.0.0.1' });
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  const base = backend.url;
  process.stdout.write(`Portal e2e against ${base}\n`);
  try {
    const organiserCtx = await browser.newContext({ viewport: DESKTOP, baseURL: base, reducedMotion: 'reduce' });
    organiserCtx.setDefaultTimeout(TIMEOUT);
    const org = await organiserCtx.newPage();
    const attendeeCtx = await browser.newContext({ viewport: DESKTOP, baseURL: base, reducedMotion: 'reduce', permissions: ['clipboard-read', 'clipboard-write'] });
    attendeeCtx.setDefaultTimeout(TIMEOUT);
    const att = await attendeeCtx.newPage();
    let registrationLink = '';
    let apiKey = '';
    const admin = { authorization: `Bearer ${backend.adminToken}`, 'content-type': 'application/json' };
    const createResource = async (body) => {
      const res = await fetch(`${base}/api/v1/admin/resources`, { method: 'POST', headers: admin, body: JSON.stringify(body) });
      const text = await res.text();
      assert(res.status === 201, `create resource ${body.name}: ${res.status} ${text}`);
      return JSON.parse(text).id;
    };

    await step('the home page links organisers and attendees', async () => {
      await org.goto('/');
      await org.getByRole('heading', { name: 'AI Proxy' }).waitFor();
      await capture(org, 'home');
    });

    await step('a wrong admin token is refused with a sentence', async () => {
      await org.goto('/admin/events');
      await org.getByRole('heading', { name: 'Organiser sign-in' }).waitFor();
      await org.getByLabel('Admin token').fill('not-the-token-at-all');
      await org.getByRole('button', { name: 'Sign in' }).click();
      await org.getByRole('alert').filter({ hasText: 'That token was not accepted' }).waitFor();
      await capture(org, 'sign-in');
    });

    await step('the organiser signs in with the admin token', async () => {
      await org.getByLabel('Admin token').fill(backend.adminToken);
      await org.getByRole('button', { name: 'Sign in' }).click();
      await org.getByRole('heading', { name: 'Events' }).waitFor();
      assert(new URL(org.url()).pathname === '/admin/events', `landed on ${org.url()}`);
    });

    await step('the organiser creates a simulator resource', async () => {
      await org.getByRole('link', { name: 'Resources' }).click();
      await org.getByRole('link', { name: 'New resource' }).click();
      await org.getByRole('heading', { name: 'New resource' }).waitFor();
      await org.getByLabel('Name', { exact: true }).fill('Simulated chat');
      await org.getByLabel('Deployment name').fill('sim-chat');
      await org.getByRole('combobox', { name: 'Upstream' }).click();
      await org.getByRole('option', { name: 'Built-in simulator' }).click();
      await org.getByLabel('Tokens per minute (TPM)').fill('60000');
      await org.getByLabel('Requests per minute (RPM)').fill('300');
      await capture(org, 'resource-form');
      await org.getByRole('button', { name: 'Create resource' }).click();
      await org.getByRole('heading', { name: 'Resources' }).waitFor();
      await org.getByRole('cell', { name: 'Simulated chat', exact: true }).waitFor();
      await capture(org, 'resources');
    });

    await step('test connection shows the latency, or the upstream\'s error without its key', async () => {
      // A resource with a wrong key, set up through the admin API (the form is covered above).
      await createResource({ name: 'Wrong key', deploymentName: 'sim-wrong', modelClass: 'openai-chat', upstream: 'azure', endpointUrl: sim.url, apiKey: WRONG_KEY });
      await org.reload();
      await org.getByRole('cell', { name: 'Wrong key', exact: true }).waitFor();
      await org.getByRole('button', { name: 'Test the connection of Simulated chat' }).click();
      const good = org.getByTestId('test-result-sim-chat');
      await good.getByText(/^\s*\d+ ms\s*$/).waitFor();
      await good.getByText('HTTP 200 · chat/completions').waitFor();
      await org.getByRole('button', { name: 'Test the connection of Wrong key' }).click();
      const bad = org.getByTestId('test-result-sim-wrong');
      await bad.getByText('HTTP 401').waitFor();
      await bad.getByText(/Access denied due to invalid subscription key/).waitFor();
      const shown = await bad.textContent();
      assert(!shown.includes(WRONG_KEY.slice(-4)) && !shown.includes(new URL(sim.url).port), `the result leaks the key or URL: ${shown}`);
      await capture(org, 'resources-tested');
    });

    await step('the organiser creates an event with a registration code', async () => {
      await org.getByRole('link', { name: 'Events' }).click();
      await org.getByRole('link', { name: 'New event' }).click();
      await org.getByLabel('Name', { exact: true }).fill('E2E Hack');
      await org.getByLabel('Event id (optional)').fill('e2e-hack');
      await org.getByLabel('Organiser', { exact: true }).fill('Ada Lovelace');
      await org.getByLabel('Time zone').fill('Europe/Berlin');
      await org.getByRole('option', { name: 'Europe/Berlin' }).click();
      await org.getByRole('spinbutton', { name: 'Requests per day' }).fill('50');
      await org.getByRole('spinbutton', { name: 'Max tokens per request' }).fill('1000');
      await org.getByRole('radio', { name: 'Needs a code' }).check();
      await org.getByLabel('Registration code').fill('letmein');
      await org.getByRole('button', { name: 'Add alias' }).click();
      const alias = org.getByRole('group', { name: 'Alias 1' });
      await alias.getByLabel('Model name clients send').fill('gpt-4o');
      await alias.getByLabel('Deployment').fill('sim-chat');
      await org.keyboard.press('Escape');
      await capture(org, 'event-form');
      await org.getByRole('button', { name: 'Create event' }).click();
      await org.getByRole('heading', { name: 'E2E Hack' }).waitFor();
      await org.getByText('live', { exact: true }).first().waitFor();
      registrationLink = await org.getByRole('textbox', { name: 'Registration link' }).inputValue();
      assert(registrationLink === `${base}/register/e2e-hack`, `registration link ${registrationLink}`);
      await org.getByRole('img', { name: 'QR code for the registration link' }).waitFor();
      await org.getByRole('definition').filter({ hasText: /gpt-4o\s*→\s*sim-chat/ }).waitFor();
      await capture(org, 'event-overview');
    });

    await step('the organiser attaches the deployment to the event', async () => {
      await org.getByRole('tab', { name: 'Deployments' }).click();
      await org.getByRole('combobox', { name: 'Resource' }).click();
      await org.getByRole('option', { name: 'Simulated chat (sim-chat)' }).click();
      await org.getByRole('button', { name: 'Attach' }).click();
      await org.getByRole('button', { name: 'Detach Simulated chat' }).waitFor();
      await org.getByTestId('health-Simulated chat').getByText('Breaker closed').waitFor();
      await org.getByTestId('health-summary').filter({ hasText: 'The active deployment is taking requests.' }).waitFor();
      await capture(org, 'event-deployments');
    });

    await step('the events list shows the live event', async () => {
      await org.getByRole('link', { name: 'All events' }).click();
      await org.getByRole('link', { name: 'E2E Hack', exact: true }).waitFor();
      await capture(org, 'events');
    });

    await step('an attendee registers with the code and copies the key, shown once', async () => {
      await att.goto(registrationLink);
      await att.getByRole('heading', { name: 'E2E Hack' }).waitFor();
      await att.getByLabel('Your name').fill('Grace Hopper');
      await att.getByLabel('Email').fill('grace@example.com');
      await att.getByLabel('Registration code').fill('wrong-code');
      await att.getByRole('button', { name: 'Register' }).click();
      await att.getByRole('alert').waitFor();
      await capture(att, 'register-error');
      await att.getByLabel('Registration code').fill('letmein');
      await att.getByRole('button', { name: 'Register' }).click();
      await att.getByRole('heading', { name: 'My key' }).waitFor();
      apiKey = (await att.getByTestId('api-key').textContent()).trim();
      assert(apiKey.startsWith('aip_'), `key ${apiKey}`);
      await att.getByRole('button', { name: 'Copy API key' }).click();
      await att.getByRole('button', { name: 'Copy API key' }).filter({ hasText: 'Copied' }).waitFor();
      const copied = await att.evaluate(() => navigator.clipboard.readText());
      assert(copied === apiKey, 'the clipboard holds the key');
      await att.getByText('Today: 0 of 50 requests').waitFor();
      await att.getByRole('tab', { name: 'AzureOpenAI' }).click();
      await att.getByText(`azure_endpoint="${base}"`).waitFor();
      await capture(att, 'my-key');
    });

    await step('the attendee chats in the Playground: a streamed answer and its token usage', async () => {
      await att.getByRole('link', { name: 'Playground', exact: true }).click();
      await att.getByRole('combobox', { name: 'Deployment' }).filter({ hasText: 'sim-chat' }).waitFor();
      await att.getByRole('textbox', { name: 'Message', exact: true }).fill('Say hello to the e2e test');
      await att.getByRole('button', { name: 'Send' }).click();
      const answer = att.getByRole('article', { name: 'Assistant' }).last();
      await answer.getByTestId('turn-usage').waitFor();
      const usage = await answer.getByTestId('turn-usage').textContent();
      assert(/\d+ prompt \+ \d+ completion = \d+ tokens/.test(usage), `usage line: ${usage}`);
      const text = (await answer.locator('.bubble').textContent()).trim();
      assert(text.length > 0, 'the answer has text');
      await att.getByRole('button', { name: 'Send' }).waitFor();
      await capture(att, 'playground');
    });

    await step('the Playground\'s images tab draws with an image deployment', async () => {
      // Set up through the admin API (the UI path for resources is covered above), then reload the Playground.
      const res = await fetch(`${base}/api/v1/admin/resources`, {
        method: 'POST',
        headers: admin,
        body: JSON.stringify({ name: 'Simulated images', deploymentName: 'sim-images', modelClass: 'openai-dall-e-3', upstream: 'simulator' }),
      });
      assert(res.status === 201, `create image resource: ${res.status}`);
      const { id } = await res.json();
      assert((await fetch(`${base}/api/v1/admin/events/e2e-hack/resources/${id}`, { method: 'PUT', headers: { authorization: admin.authorization } })).ok, 'attach images');
      await att.reload();
      await att.getByRole('tab', { name: 'Images' }).click();
      await att.getByRole('combobox', { name: 'Image deployment' }).filter({ hasText: 'sim-images' }).waitFor();
      await att.getByLabel('Describe the image').fill('a lighthouse at dusk');
      await att.getByRole('button', { name: 'Generate' }).click();
      await att.getByRole('img', { name: 'Generated image for: a lighthouse at dusk' }).waitFor();
      await capture(att, 'playground-images');
      await att.getByRole('tab', { name: 'Chat' }).click();
    });

    await step('a client asking for the alias gpt-4o gets the sim-chat deployment', async () => {
      const res = await fetch(`${base}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi through an alias' }] }),
      });
      const text = await res.text();
      assert(res.status === 200, `alias call: ${res.status} ${text}`);
    });

    await step('a backend that answered 429 shows as cooling on the deployments page', async () => {
      const id = await createResource({ name: 'Busy chat', deploymentName: 'sim-busy', modelClass: 'openai-chat', upstream: 'azure', endpointUrl: sim.url, apiKey: SIM_KEY });
      assert((await fetch(`${base}/api/v1/admin/events/e2e-hack/resources/${id}`, { method: 'PUT', headers: { authorization: admin.authorization } })).ok, 'attach busy');
      await sim.control.patchConfig({ faults: { fail_next: [{ status: 429, count: 1, retry_after_ms: 300_000 }] } });
      const res = await fetch(`${base}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'sim-busy', messages: [{ role: 'user', content: 'are you busy?' }] }),
      });
      assert(res.status === 429, `busy call: ${res.status}`);
      await org.getByRole('link', { name: 'E2E Hack', exact: true }).click();
      await org.getByRole('tab', { name: 'Deployments' }).click();
      const busy = org.getByTestId('health-Busy chat');
      await busy.getByText('Breaker closed').waitFor();
      await busy.getByText(/Cooling until \d\d:\d\d:\d\d/).waitFor();
      await org.getByTestId('health-Simulated chat').getByText('Breaker closed').waitFor();
      await org.getByTestId('health-summary').filter({ hasText: '1 cooling after a 429, 2 taking requests.' }).waitFor();
      await capture(org, 'event-deployments-health');
      // Detached again, so attendees' Playgrounds keep picking sim-chat.
      await org.getByRole('button', { name: 'Detach Busy chat' }).click();
      await org.getByRole('button', { name: 'Detach Busy chat' }).waitFor({ state: 'detached' });
    });

    await step('the organiser sees the requests, the 429 rate, the hourly chart and today against the cap', async () => {
      await org.getByRole('tab', { name: 'Usage' }).click();
      // The dashboard refreshes itself every 5 s while the event is live; usage is written in batches.
      // Chat, image, the alias call and the 429: four requests, one rate limited.
      await org.getByTestId('kpi-requests').filter({ hasText: /^\s*4\s*$/ }).waitFor();
      await org.getByTestId('kpi-429').filter({ hasText: /^\s*25%\s*$/ }).waitFor();
      await org.getByRole('cell', { name: /Grace Hopper/ }).first().waitFor();
      await org.getByRole('cell', { name: 'sim-chat' }).waitFor();
      await org.getByRole('img', { name: /^Requests and tokens per hour/ }).waitFor();
      // The 429 was given back: three of the attendee's 50 requests are used today.
      const today = org.getByRole('table', { name: 'Today against the daily cap per attendee' });
      await today.getByRole('cell', { name: '3 of 50' }).waitFor();
      await today.getByRole('progressbar', { name: 'Grace Hopper: 3 of 50 requests today' }).waitFor();
      await capture(org, 'usage');
    });

    await step('the capacity planner gives a verdict for the attached quota', async () => {
      await org.getByRole('tab', { name: 'Capacity' }).click();
      await org.getByRole('spinbutton', { name: 'Expected attendees' }).fill('100');
      await org.getByRole('spinbutton', { name: 'Requests per attendee per minute' }).fill('2');
      await org.getByRole('spinbutton', { name: 'Tokens per request' }).fill('500');
      // 100 × 2 × 500 = 100,000 TPM against 60,000.
      await org.getByRole('heading', { name: 'Not enough capacity' }).waitFor();
      await org.getByText('40,000 more TPM').waitFor();
      await org.getByRole('spinbutton', { name: 'Expected attendees' }).fill('40');
      await org.getByRole('heading', { name: 'Enough capacity' }).waitFor();
      await capture(org, 'capacity');
    });

    await step('the organiser revokes the attendee', async () => {
      await org.getByRole('tab', { name: 'Attendees' }).click();
      await org.getByLabel('Search by name or email').fill('grace');
      await org.getByRole('button', { name: 'Revoke Grace Hopper' }).click();
      await org.getByRole('button', { name: 'Restore Grace Hopper' }).waitFor();
      await org.getByText('revoked', { exact: true }).waitFor();
      await capture(org, 'attendees');
    });

    await step('the Playground tells the attendee their key was revoked', async () => {
      await att.getByRole('textbox', { name: 'Message', exact: true }).fill('Are you still there?');
      await att.getByRole('button', { name: 'Send' }).click();
      await att.getByRole('article', { name: 'Assistant' }).last().getByRole('alert').filter({ hasText: 'revoked' }).waitFor();
      const message = await att.getByRole('article', { name: 'Assistant' }).last().getByRole('alert').textContent();
      assert(/revoked by the event organiser/.test(message), `error: ${message}`);
      await capture(att, 'playground-revoked');
    });

    await step('the organiser edits the event', async () => {
      await org.goto('/admin/events/e2e-hack/edit');
      await org.getByRole('heading', { name: 'Edit event' }).waitFor();
      await org.getByLabel('Name', { exact: true }).waitFor();
      await org.waitForFunction(() => document.querySelector('input[formcontrolname="name"]')?.value === 'E2E Hack');
      const first = org.getByRole('group', { name: 'Alias 1' });
      assert((await first.getByLabel('Model name clients send').inputValue()) === 'gpt-4o', 'the alias is loaded');
      assert((await first.getByLabel('Deployment').inputValue()) === 'sim-chat', 'the alias deployment is loaded');
      await org.getByRole('button', { name: 'Add alias' }).click();
      const second = org.getByRole('group', { name: 'Alias 2' });
      await second.getByLabel('Model name clients send').fill('gpt-4o');
      await second.getByLabel('Deployment').fill('sim-chat');
      await org.keyboard.press('Escape');
      await org.getByRole('button', { name: 'Save changes' }).click();
      await org.getByRole('alert').filter({ hasText: '"gpt-4o" is mapped twice' }).waitFor();
      await second.getByLabel('Model name clients send').fill('gpt-4o-mini');
      await capture(org, 'event-edit');
      await org.getByRole('spinbutton', { name: 'Requests per day' }).fill('60');
      await org.getByRole('button', { name: 'Save changes' }).click();
      await org.getByRole('tab', { name: 'Overview' }).waitFor();
      await org.getByRole('definition').filter({ hasText: /^\s*60\s*$/ }).waitFor();
      await org.getByRole('definition').filter({ hasText: /gpt-4o-mini\s*→\s*sim-chat/ }).waitFor();
    });

    await step('pages fit a phone screen', async () => {
      await org.setViewportSize(PHONE);
      await att.setViewportSize(PHONE);
      await org.goto('/admin/events');
      await org.getByRole('link', { name: 'E2E Hack', exact: true }).waitFor();
      await capture(org, 'phone-events');
      await org.goto('/admin/events/e2e-hack/overview');
      await org.getByRole('img', { name: 'QR code for the registration link' }).waitFor();
      await capture(org, 'phone-event-overview');
      await org.goto('/admin/events/e2e-hack/usage');
      await org.getByTestId('kpi-requests').waitFor();
      await capture(org, 'phone-usage');
      // A second attendee registers on the phone and uses the Playground there.
      const phone = await attendeeCtx.newPage();
      await phone.setViewportSize(PHONE);
      await phone.goto(registrationLink);
      await phone.getByRole('heading', { name: 'E2E Hack' }).waitFor();
      await capture(phone, 'phone-register');
      await phone.getByLabel('Your name').fill('Alan Turing');
      await phone.getByLabel('Email').fill('alan@example.com');
      await phone.getByLabel('Registration code').fill('letmein');
      await phone.getByRole('button', { name: 'Register' }).click();
      await phone.getByTestId('api-key').waitFor();
      await capture(phone, 'phone-my-key');
      await phone.getByRole('link', { name: 'Open the Playground' }).click();
      await phone.getByRole('textbox', { name: 'Message', exact: true }).fill('Hello from a phone');
      await phone.getByRole('button', { name: 'Send' }).click();
      await phone.getByRole('article', { name: 'Assistant' }).last().getByTestId('turn-usage').waitFor();
      await capture(phone, 'phone-playground');
    });

    await step('freezing the event closes registration', async () => {
      await org.setViewportSize(DESKTOP);
      await org.goto('/admin/events/e2e-hack/overview');
      await org.getByRole('button', { name: 'Freeze' }).click();
      await org.getByText('frozen', { exact: true }).waitFor();
      await att.goto(registrationLink);
      await att.getByRole('alert').filter({ hasText: 'Registration is closed' }).waitFor();
      await capture(att, 'phone-register-closed');
      await org.getByRole('button', { name: 'Activate' }).click();
      await org.getByText('live', { exact: true }).waitFor();
    });

    await step('the organiser rotates a key (shown once) and exports attendees as CSV', async () => {
      await org.getByRole('tab', { name: 'Attendees' }).click();
      await org.getByRole('button', { name: 'Rotate the key of Alan Turing' }).click();
      const card = org.getByRole('status').filter({ hasText: 'New key for Alan Turing' });
      await card.waitFor();
      assert(/aip_\S+/.test(await card.locator('code').textContent()), 'the new key is shown');
      await capture(org, 'attendees-rotated');
      await card.getByRole('button', { name: 'Done' }).click();
      await card.waitFor({ state: 'detached' });
      const [download] = await Promise.all([org.waitForEvent('download'), org.getByRole('button', { name: 'Export CSV' }).click()]);
      assert(download.suggestedFilename() === 'e2e-hack-attendees.csv', download.suggestedFilename());
      const csv = readFileSync(await download.path(), 'utf8');
      assert(csv.startsWith('id,name,email,keyPrefix,active,registeredAt,keyRotatedAt'), csv.slice(0, 80));
      assert(csv.includes('Grace Hopper') && csv.includes('alan@example.com'), csv);
    });

    await step('an attendee of a GitHub event signs in, gets a key, comes back to its prefix and usage, and rotates it', async () => {
      const event = { id: 'e2e-github', name: 'E2E GitHub Day', startsAt: new Date(Date.now() - 3_600_000).toISOString(), endsAt: new Date(Date.now() + 86_400_000).toISOString(), dailyRequestCap: 40, registration: { mode: 'github' } };
      const created = await fetch(`${base}/api/v1/admin/events`, { method: 'POST', headers: admin, body: JSON.stringify(event) });
      assert(created.status === 201, `create github event: ${created.status} ${await created.text()}`);
      const gh = await (await browser.newContext({ viewport: DESKTOP, baseURL: base, reducedMotion: 'reduce' })).newPage();
      await gh.goto('/register/e2e-github');
      await gh.getByRole('heading', { name: 'E2E GitHub Day' }).waitFor();
      await capture(gh, 'github-sign-in');
      await gh.getByRole('link', { name: 'Sign in with GitHub' }).click();
      await gh.getByText('You are signed in with GitHub.').waitFor();
      await gh.getByRole('button', { name: 'Get my key' }).click();
      await gh.getByRole('heading', { name: 'My key' }).waitFor();
      const first = (await gh.getByTestId('api-key').textContent()).trim();
      assert(first.startsWith('aip_'), `key ${first}`);
      await gh.goto('/register/e2e-github');
      await gh.getByText('Signed in as octocat (octocat@example.org)').waitFor();
      const prefix = (await gh.getByTestId('key-prefix').textContent()).replace('…', '');
      assert(first.startsWith(prefix) && prefix.length < first.length, `prefix ${prefix} of ${first}`);
      await gh.getByText('Today: 0 of 40 requests').waitFor();
      await capture(gh, 'github-signed-in');
      await gh.getByRole('button', { name: 'Rotate my key' }).click();
      await gh.getByRole('heading', { name: 'Your new key for E2E GitHub Day' }).waitFor();
      const second = (await gh.getByTestId('api-key').textContent()).trim();
      assert(second.startsWith('aip_') && second !== first, 'a different key after rotating');
      const oldKey = await fetch(`${base}/api/v1/eventinfo`, { headers: { 'api-key': first } });
      assert(oldKey.status === 401, `the old key answers ${oldKey.status}`);
    });

    await step('no serious or critical accessibility violations (axe-core)', async () => {
      const bad = a11y.filter((v) => v.impact === 'serious' || v.impact === 'critical');
      const minor = a11y.filter((v) => !(v.impact === 'serious' || v.impact === 'critical'));
      for (const v of minor) process.stdout.write(`    (minor) ${v.page}: ${v.id} [${v.impact}] ${v.help} ${v.nodes.join(', ')}\n`);
      assert(bad.length === 0, `violations:\n${bad.map((v) => `${v.page}: ${v.id} [${v.impact}] ${v.help} → ${v.nodes.join(', ')}`).join('\n')}`);
    });
  } catch {
    // Reported by step(); the summary below decides the exit code.
  } finally {
    await browser.close();
    await backend.stop();
    await sim.close();
    await github.close();
  }
  const passed = results.filter((r) => r.ok).length;
  const failed = results.length - passed;
  process.stdout.write(`\nScreenshots in ${artifacts}\n${passed} passed, ${failed} failed\n`);
  process.exit(failed ? 1 : 0);
}

await main();
