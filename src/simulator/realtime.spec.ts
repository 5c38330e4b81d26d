import { type RealtimeEvent, type RealtimeFlavour, type RealtimeSessionOptions, SimulatedRealtimeSession } from './realtime';
import { chooseProtocol } from './routes/realtime.routes';

function harness(flavour: RealtimeFlavour, overrides: Partial<RealtimeSessionOptions> = {}) {
  const events: RealtimeEvent[] = [];
  let counter = 0;
  let dropped = false;
  const sut = new SimulatedRealtimeSession({
    flavour,
    model: 'gpt-realtime-2025-08-28',
    chunkWords: 1,
    ttftMs: 0,
    interChunkMs: 0,
    randomHex: (length) => (counter++).toString(16).padStart(length, '0'),
    now: () => 1700000000,
    send: (event) => events.push(event),
    drop: () => (dropped = true),
    ...overrides,
  });
  const send = (event: unknown) => sut.receive(JSON.stringify(event));
  const types = () => events.map((e) => e.type);
  const last = () => events[events.length - 1] as RealtimeEvent & { error?: Record<string, unknown> };
  const ofType = <T = Record<string, unknown>>(type: string) => events.filter((e) => e.type === type) as unknown as (RealtimeEvent & T)[];
  return { sut, events, send, types, last, ofType, dropped: () => dropped };
}

const userText = (text: string) => ({ type: 'conversation.item.create', item: { type: 'message', role: 'user', content: [{ type: 'input_text', text }] } });
const TEXT_ONLY_GA = { type: 'session.update', session: { type: 'realtime', output_modalities: ['text'] } };

describe(SimulatedRealtimeSession.name, () => {
  it('opens with session.created carrying a GA default session', () => {
    const { sut, events } = harness('ga');

    sut.start();

    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      type: 'session.created',
      event_id: expect.stringMatching(/^evt_/),
      session: { type: 'realtime', object: 'realtime.session', id: expect.stringMatching(/^sess_/), model: 'gpt-realtime-2025-08-28', output_modalities: ['audio'], expires_at: 1700001800 },
    });
    expect(Object.keys(events[0])[0]).toBe('type');
  });

  it('opens a beta session with the beta session shape', () => {
    const { sut, events } = harness('beta');

    sut.start();

    expect(events[0]).toMatchObject({ type: 'session.created', session: { modalities: ['text', 'audio'], voice: 'alloy', input_audio_format: 'pcm16' } });
    expect(events[0]?.['session']).not.toHaveProperty('type');
  });

  it('merges session.update and answers session.updated with the full session', () => {
    const { send, last } = harness('ga');

    send({ type: 'session.update', session: { type: 'realtime', instructions: 'be brief', audio: { output: { voice: 'verse' } } } });

    expect(last()).toMatchObject({
      type: 'session.updated',
      session: { instructions: 'be brief', audio: { output: { voice: 'verse', format: { type: 'audio/pcm' } }, input: { format: { rate: 24000 } } } },
    });
  });

  it('keeps an explicit null (turn_detection off) instead of dropping the key', () => {
    const { send, last } = harness('beta');

    send({ type: 'session.update', session: { turn_detection: null } });

    expect(last()).toMatchObject({ type: 'session.updated', session: { turn_detection: null } });
  });

  it('refuses a GA session.update without session.type, echoing the client event_id', () => {
    const { send, last } = harness('ga');

    send({ type: 'session.update', event_id: 'client-1', session: { instructions: 'x' } });

    expect(last()).toEqual({
      type: 'error',
      event_id: expect.stringMatching(/^evt_/),
      error: { type: 'invalid_request_error', code: 'missing_required_parameter', message: expect.stringContaining('session.type'), param: 'session.type', event_id: 'client-1' },
    });
  });

  it.each([
    ['not JSON', '{nope', 'invalid_json', null],
    ['no type', JSON.stringify({ event_id: 'e' }), 'missing_required_parameter', 'type'],
    ['an unknown type', JSON.stringify({ type: 'session.destroy' }), 'invalid_value', 'type'],
    ['append without audio', JSON.stringify({ type: 'input_audio_buffer.append' }), 'missing_required_parameter', 'audio'],
    ['append with non-base64 audio', JSON.stringify({ type: 'input_audio_buffer.append', audio: 'not base64!' }), 'invalid_value', 'audio'],
    ['an item without role', JSON.stringify({ type: 'conversation.item.create', item: { type: 'message', content: [] } }), 'missing_required_parameter', 'item.role'],
    ['an unknown item type', JSON.stringify({ type: 'conversation.item.create', item: { type: 'picture' } }), 'invalid_value', 'item.type'],
    ['a cancel with nothing running', JSON.stringify({ type: 'response.cancel' }), 'response_cancel_not_active', null],
  ])('answers %s with an error event and keeps going', (_name, frame, code, param) => {
    const { sut, send, last } = harness('ga');

    sut.receive(frame);

    expect(last()).toMatchObject({ type: 'error', error: { type: 'invalid_request_error', code, param } });
    send(TEXT_ONLY_GA);
    expect(last().type).toBe('session.updated');
  });

  it('refuses binary frames', () => {
    const { sut, last } = harness('ga');

    sut.receive(Buffer.from([1, 2, 3]), true);

    expect(last()).toMatchObject({ type: 'error', error: { code: null, message: expect.stringContaining('JSON text') } });
  });

  it('commits appended audio into a user item, and refuses a commit under 100 ms', () => {
    const { send, types, last, ofType } = harness('ga');

    send({ type: 'input_audio_buffer.append', audio: Buffer.alloc(100).toString('base64') });
    send({ type: 'input_audio_buffer.commit' });
    expect(last()).toMatchObject({ type: 'error', error: { code: 'input_audio_buffer_commit_empty' } });

    send({ type: 'input_audio_buffer.append', audio: Buffer.alloc(4800).toString('base64') });
    send({ type: 'input_audio_buffer.commit' });

    expect(types().slice(-4)).toEqual(['input_audio_buffer.committed', 'conversation.item.created', 'conversation.item.added', 'conversation.item.done']);
    const committed = ofType<{ item_id: string }>('input_audio_buffer.committed')[0];
    expect(ofType<{ item: { id: string; role: string } }>('conversation.item.created')[0]?.item).toMatchObject({ id: committed?.item_id, role: 'user', object: 'realtime.item' });
  });

  it('clears the audio buffer', () => {
    const { send, last } = harness('ga');

    send({ type: 'input_audio_buffer.append', audio: Buffer.alloc(9600).toString('base64') });
    send({ type: 'input_audio_buffer.clear' });
    expect(last().type).toBe('input_audio_buffer.cleared');
    send({ type: 'input_audio_buffer.commit' });

    expect(last()).toMatchObject({ type: 'error', error: { code: 'input_audio_buffer_commit_empty' } });
  });

  it('answers response.create with the GA text event sequence and usage', async () => {
    const { sut, send, types, ofType } = harness('ga');
    send(TEXT_ONLY_GA);
    send(userText('hello there'));
    const before = types().length;

    send({ type: 'response.create' });
    await sut.idle();

    expect(types().slice(before)).toEqual([
      'response.created',
      'response.output_item.added',
      'conversation.item.created',
      'conversation.item.added',
      'response.content_part.added',
      'response.output_text.delta',
      'response.output_text.delta',
      'response.output_text.delta',
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'conversation.item.done',
      'response.done',
    ]);
    const deltas = ofType<{ delta: string }>('response.output_text.delta').map((e) => e.delta);
    expect(deltas.join('')).toBe('echo: hello there');
    const done = ofType<{ response: Record<string, unknown> }>('response.done')[0]?.response;
    expect(done).toMatchObject({
      object: 'realtime.response',
      status: 'completed',
      output: [{ type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'echo: hello there' }] }],
      usage: { input_tokens: 3, output_tokens: 5, total_tokens: 8 },
    });
    expect(ofType('response.created')[0]).toMatchObject({ response: { id: (done as { id: string }).id, status: 'in_progress' } });
  });

  it('uses the beta event names and content types on a beta session', async () => {
    const { sut, send, types, ofType } = harness('beta');
    send({ type: 'session.update', session: { modalities: ['text'] } });
    send(userText('hi'));

    send({ type: 'response.create' });
    await sut.idle();

    expect(types()).toContain('response.text.delta');
    expect(types()).toContain('response.text.done');
    expect(types()).not.toContain('response.output_text.delta');
    expect(types()).not.toContain('conversation.item.added');
    expect(ofType('response.done')[0]).toMatchObject({ response: { output: [{ content: [{ type: 'text', text: 'echo: hi' }] }] } });
  });

  it('streams audio with a transcript when audio output is on (the GA default)', async () => {
    const { sut, send, types, ofType } = harness('ga');
    send(userText('sing'));

    send({ type: 'response.create' });
    await sut.idle();

    expect(types()).toEqual(expect.arrayContaining(['response.output_audio.delta', 'response.output_audio_transcript.delta', 'response.output_audio.done', 'response.output_audio_transcript.done']));
    expect(ofType<{ transcript: string }>('response.output_audio_transcript.done')[0]?.transcript).toBe('echo: sing');
    const usage = ofType<{ response: { usage: { output_token_details: { audio_tokens: number } } } }>('response.done')[0]?.response.usage;
    expect(usage?.output_token_details.audio_tokens).toBeGreaterThan(0);
  });

  it('uses the beta audio event names on a beta session', async () => {
    const { sut, send, types } = harness('beta');
    send(userText('sing'));

    send({ type: 'response.create' });
    await sut.idle();

    expect(types()).toEqual(expect.arrayContaining(['response.audio.delta', 'response.audio_transcript.delta', 'response.audio_transcript.done']));
  });

  it('counts earlier turns as input on the next response', async () => {
    const { sut, send, ofType } = harness('ga');
    send(TEXT_ONLY_GA);
    send(userText('hello there'));
    send({ type: 'response.create' });
    await sut.idle();
    send(userText('again'));

    send({ type: 'response.create' });
    await sut.idle();

    const usages = ofType<{ response: { usage: { input_tokens: number } } }>('response.done').map((e) => e.response.usage.input_tokens);
    expect(usages).toEqual([3, 3 + 5 + 2]);
  });

  it('refuses a second response.create while one is running, and cancels on response.cancel', async () => {
    const { sut, send, ofType } = harness('ga', { interChunkMs: 20 });
    send(TEXT_ONLY_GA);
    send(userText('one two three four five six'));

    send({ type: 'response.create' });
    send({ type: 'response.create' });
    expect(ofType('error')[0]).toMatchObject({ error: { code: 'conversation_already_has_active_response' } });
    send({ type: 'response.cancel' });
    await sut.idle();

    expect(ofType('response.done')[0]).toMatchObject({ response: { status: 'cancelled', status_details: { type: 'cancelled' } } });
  });

  it('cuts the reply at max_output_tokens and reports an incomplete response', async () => {
    const { sut, send, ofType } = harness('ga');
    send(TEXT_ONLY_GA);
    send(userText('a fairly long sentence to echo'));

    send({ type: 'response.create', response: { max_output_tokens: 2 } });
    await sut.idle();

    expect(ofType('response.done')[0]).toMatchObject({
      response: { status: 'incomplete', status_details: { reason: 'max_output_tokens' }, output: [{ content: [{ text: 'echo: a ' }] }] },
    });
  });

  it('uses the configured reply text', async () => {
    const { sut, send, ofType } = harness('ga', { replyText: 'fixed words' });
    send(TEXT_ONLY_GA);
    send({ type: 'response.create' });
    await sut.idle();

    expect(ofType('response.output_text.done')[0]).toMatchObject({ text: 'fixed words' });
  });

  it('drops the socket after drop_after deltas and sends nothing more', async () => {
    const h = harness('ga', { dropAfter: 1 });
    h.send(TEXT_ONLY_GA);
    h.send(userText('one two three'));

    h.send({ type: 'response.create' });
    await h.sut.idle();

    expect(h.dropped()).toBe(true);
    expect(h.ofType('response.output_text.delta')).toHaveLength(1);
    expect(h.types()).not.toContain('response.done');
  });

  it('stops sending once closed', async () => {
    const { sut, send, types } = harness('ga', { interChunkMs: 10 });
    send(TEXT_ONLY_GA);
    send(userText('one two three'));
    send({ type: 'response.create' });
    const count = types().length;

    sut.close();
    await sut.idle();

    expect(types()).toHaveLength(count);
  });
});

describe(chooseProtocol.name, () => {
  it('echoes realtime, then the beta marker, never a key', () => {
    expect(chooseProtocol(['openai-insecure-api-key.sk-1', 'realtime'])).toBe('realtime');
    expect(chooseProtocol(['openai-beta.realtime-v1', 'openai-insecure-api-key.sk-1'])).toBe('openai-beta.realtime-v1');
    expect(chooseProtocol(['openai-insecure-api-key.sk-1'])).toBe(false);
  });
});
