import { chooseClientProtocol, handshakeProblem, readRealtimeRequest, realtimeFamily, realtimeKey } from './realtime-request';

const KEY = 'aip_attendee_key';

describe(realtimeFamily.name, () => {
  it.each([
    ['/openai/v1/realtime', 'azure-v1'],
    ['/openai/realtime', 'azure'],
    ['/v1/realtime', 'openai'],
    ['/api/v1/openai/v1/realtime', 'azure-v1'],
    ['/api/v1/openai/realtime', 'azure'],
    ['/api/v1/v1/realtime', 'openai'],
    ['/v1/realtime/', 'openai'],
    ['/openai//v1/realtime', 'azure-v1'],
  ])('reads %s as %s', (path, family) => {
    expect(realtimeFamily(path)).toBe(family);
  });

  it.each(['/realtime', '/api/v1/realtime', '/v1/chat/completions', '/openai/v1/realtime/extra', '/v2/realtime'])('ignores %s', (path) => {
    expect(realtimeFamily(path)).toBeUndefined();
  });
});

describe(realtimeKey.name, () => {
  const none = new URLSearchParams();

  it.each([
    ['the api-key header', { 'api-key': KEY }, none],
    ['a Bearer token', { authorization: `Bearer ${KEY}` }, none],
    ['?api-key=', {}, new URLSearchParams({ 'api-key': KEY })],
    ['?key=', {}, new URLSearchParams({ key: KEY })],
    ['the insecure subprotocol', { 'sec-websocket-protocol': `realtime, openai-insecure-api-key.${KEY}` }, none],
  ])('finds the key in %s', (_name, headers, query) => {
    expect(realtimeKey(headers, query)).toBe(KEY);
  });

  it('prefers headers over the query and the query over the subprotocol', () => {
    expect(realtimeKey({ 'api-key': 'a', 'sec-websocket-protocol': 'openai-insecure-api-key.c' }, new URLSearchParams({ key: 'b' }))).toBe('a');
    expect(realtimeKey({ 'sec-websocket-protocol': 'openai-insecure-api-key.c' }, new URLSearchParams({ key: 'b' }))).toBe('b');
  });

  it('is undefined when no form carries a key', () => {
    expect(realtimeKey({ 'sec-websocket-protocol': 'realtime, openai-insecure-api-key.' }, none)).toBeUndefined();
  });
});

describe(readRealtimeRequest.name, () => {
  it('reads a GA request, keeping pass-through parameters and dropping credentials and owned ones', () => {
    const sut = readRealtimeRequest(`/openai/v1/realtime?model=gpt-realtime&intent=transcription&api-key=${KEY}&api-version=x`, {});

    expect(sut).toEqual({
      family: 'azure-v1',
      deployment: 'gpt-realtime',
      apiVersion: undefined,
      beta: false,
      key: KEY,
      protocols: [],
      passThroughQuery: [['intent', 'transcription']],
    });
  });

  it('reads the preview URL as beta, with its deployment and api-version', () => {
    expect(readRealtimeRequest('/openai/realtime?api-version=2024-10-01-preview&deployment=rt', {})).toMatchObject({
      family: 'azure',
      deployment: 'rt',
      apiVersion: '2024-10-01-preview',
      beta: true,
    });
  });

  it('reads OpenAI-Beta and the beta subprotocol as beta, and drops the key subprotocol from the offer', () => {
    expect(readRealtimeRequest('/v1/realtime?model=m', { 'openai-beta': 'realtime=v1' })?.beta).toBe(true);
    const sut = readRealtimeRequest('/v1/realtime?model=m', { 'sec-websocket-protocol': `realtime, openai-beta.realtime-v1, openai-insecure-api-key.${KEY}` });
    expect(sut).toMatchObject({ beta: true, key: KEY, protocols: ['realtime', 'openai-beta.realtime-v1'] });
  });

  it('does not turn a path starting with // into a host', () => {
    expect(readRealtimeRequest('//evil.example/v1/realtime?model=m', {})).toBeUndefined();
  });

  it('leaves the deployment undefined when none is named', () => {
    expect(readRealtimeRequest('/v1/realtime?model=%20', {})?.deployment).toBeUndefined();
  });
});

describe(chooseClientProtocol.name, () => {
  it('echoes realtime, then the beta marker, and never a key', () => {
    expect(chooseClientProtocol(['openai-beta.realtime-v1', 'realtime'])).toBe('realtime');
    expect(chooseClientProtocol(['openai-beta.realtime-v1'])).toBe('openai-beta.realtime-v1');
    expect(chooseClientProtocol([`openai-insecure-api-key.${KEY}`])).toBe(false);
  });
});

describe(handshakeProblem.name, () => {
  const valid = { upgrade: 'websocket', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==', 'sec-websocket-version': '13' };

  it('accepts a well-formed handshake', () => {
    expect(handshakeProblem('GET', valid)).toBeUndefined();
  });

  it.each([
    ['POST', valid],
    ['GET', { ...valid, upgrade: 'h2c' }],
    ['GET', { ...valid, 'sec-websocket-key': 'short' }],
    ['GET', { ...valid, 'sec-websocket-version': '7' }],
  ])('refuses %s %j', (method, headers) => {
    expect(handshakeProblem(method, headers)).toEqual(expect.any(String));
  });
});
