import { AssistantsStore, paginate } from './assistants';
import { SimulatedError } from './errors';

function storeAt(clock: { ms: number }, runDelayMs = 100) {
  return new AssistantsStore({ seconds: () => 1_700_000_000, nowMs: () => clock.ms }, { runDelayMs });
}

function errorOf(fn: () => unknown): SimulatedError {
  try {
    fn();
  } catch (err) {
    if (err instanceof SimulatedError) return err;
    throw err;
  }
  throw new Error('expected a SimulatedError');
}

describe(AssistantsStore.name, () => {
  it('creates objects with OpenAI id prefixes', () => {
    const sut = storeAt({ ms: 0 });
    const assistant = sut.createAssistant({ model: 'gpt-4o', name: 'Helper' });
    const thread = sut.createThread({ messages: [{ role: 'user', content: 'hi' }] });
    const file = sut.createFile('assistants', { filename: 'a.txt', data: Buffer.from('abc') });
    const store = sut.createVectorStore({ name: 'docs', file_ids: [file.id] });
    expect(assistant).toMatchObject({ object: 'assistant', name: 'Helper', model: 'gpt-4o' });
    expect(assistant.id).toMatch(/^asst_[0-9a-f]{24}$/);
    expect(thread.id).toMatch(/^thread_/);
    expect(file).toMatchObject({
      id: expect.stringMatching(/^file-/),
      bytes: 3,
      filename: 'a.txt',
      purpose: 'assistants',
      status: 'processed',
    });
    expect(store).toMatchObject({
      id: expect.stringMatching(/^vs_/),
      file_counts: { completed: 1, total: 1 },
      usage_bytes: 3,
    });
    expect(sut.fileContent(file.id).toString()).toBe('abc');
  });

  it('completes a run after its delay with an assistant message and usage', () => {
    const clock = { ms: 0 };
    const sut = storeAt(clock, 100);
    const assistant = sut.createAssistant({ model: 'gpt-4o', instructions: 'Be brief.' });
    const thread = sut.createThread({});
    sut.createMessage(thread.id, { role: 'user', content: 'hello there' });
    const { run } = sut.createRun(thread.id, { assistant_id: assistant.id });
    expect(sut.getRun(thread.id, run.id)).toMatchObject({ status: 'queued', usage: null });
    expect(errorOf(() => sut.createMessage(thread.id, { role: 'user', content: 'more' })).status).toBe(400);

    clock.ms = 100;
    const done = sut.getRun(thread.id, run.id);
    // prompt: "Be brief." (3) + "hello there" (3); completion: "echo: hello there" (5)
    expect(done).toMatchObject({
      status: 'completed',
      usage: { prompt_tokens: 6, completion_tokens: 5, total_tokens: 11 },
    });
    const messages = sut.listMessages(thread.id, {});
    expect(messages.data[0]).toMatchObject({
      role: 'assistant',
      run_id: run.id,
      assistant_id: assistant.id,
      content: [{ type: 'text', text: { value: 'echo: hello there' } }],
    });
    const steps = sut.listSteps(thread.id, run.id, {});
    expect(steps.data).toHaveLength(1);
    expect(steps.data[0].step_details.message_creation.message_id).toBe(messages.data[0].id);
    expect(sut.getStep(thread.id, run.id, steps.data[0].id).usage.total_tokens).toBe(11);
  });

  it('streams a run as named events ending with thread.run.completed', () => {
    const sut = storeAt({ ms: 0 });
    const assistant = sut.createAssistant({ model: 'gpt-4o' });
    const { thread, run, events } = sut.createThreadAndRun(
      { assistant_id: assistant.id, thread: { messages: [{ role: 'user', content: 'hi' }] } },
      true,
    );
    expect(events.map((e) => e.event)).toEqual([
      'thread.created',
      'thread.run.created',
      'thread.run.queued',
      'thread.run.in_progress',
      'thread.run.step.created',
      'thread.run.step.in_progress',
      'thread.message.created',
      'thread.message.in_progress',
      'thread.message.delta',
      'thread.message.completed',
      'thread.run.step.completed',
      'thread.run.completed',
    ]);
    expect(events[events.length - 1].data).toMatchObject({
      id: run.id,
      thread_id: thread.id,
      status: 'completed',
      usage: { completion_tokens: 2 },
    });
  });

  it('stops a run with a function tool for a tool call when the trigger word is asked, then completes it with the outputs', () => {
    const clock = { ms: 0 };
    const sut = new AssistantsStore(
      { seconds: () => 1_700_000_000, nowMs: () => clock.ms },
      { runDelayMs: 10, toolCallTrigger: () => 'weather' },
    );
    const assistant = sut.createAssistant({
      model: 'm',
      tools: [{ type: 'function', function: { name: 'get_weather' } }],
    });
    const thread = sut.createThread({
      messages: [{ role: 'user', content: 'What is the weather in Oslo?' }],
    });
    const { run } = sut.createRun(thread.id, { assistant_id: assistant.id });
    clock.ms = 10;
    const waiting = sut.getRun(thread.id, run.id);
    expect(waiting).toMatchObject({ status: 'requires_action', usage: null });
    const call = waiting.required_action!.submit_tool_outputs.tool_calls[0];
    expect(call).toMatchObject({
      id: expect.stringMatching(/^call_/),
      type: 'function',
      function: { name: 'get_weather', arguments: JSON.stringify({ query: 'What is the weather in Oslo?' }) },
    });
    expect(
      errorOf(() =>
        sut.submitToolOutputs(thread.id, run.id, {
          tool_outputs: [{ tool_call_id: 'call_other', output: 'x' }],
        }),
      ).status,
    ).toBe(400);

    const { events } = sut.submitToolOutputs(
      thread.id,
      run.id,
      { tool_outputs: [{ tool_call_id: call.id, output: 'sunny' }] },
      true,
    );
    expect(events[0].event).toBe('thread.run.in_progress');
    expect(events[events.length - 1]).toMatchObject({
      event: 'thread.run.completed',
      data: { status: 'completed', required_action: null },
    });
    expect(sut.listMessages(thread.id, {}).data[0].content[0].text.value).toBe('echo: sunny');
    expect(
      errorOf(() =>
        sut.submitToolOutputs(thread.id, run.id, {
          tool_outputs: [{ tool_call_id: call.id, output: 'again' }],
        }),
      ).status,
    ).toBe(400);
  });

  it('cancels a queued run, and refuses to cancel a finished one', () => {
    const clock = { ms: 0 };
    const sut = storeAt(clock);
    const assistant = sut.createAssistant({ model: 'm' });
    const thread = sut.createThread({});
    const { run } = sut.createRun(thread.id, { assistant_id: assistant.id });
    expect(sut.cancelRun(thread.id, run.id).status).toBe('cancelled');
    clock.ms = 10_000;
    expect(sut.getRun(thread.id, run.id).status).toBe('cancelled');
    expect(errorOf(() => sut.cancelRun(thread.id, run.id)).status).toBe(400);
  });

  it('answers 404 in the OpenAI error shape, including for a run of another thread', () => {
    const sut = storeAt({ ms: 0 });
    const assistant = sut.createAssistant({ model: 'm' });
    const a = sut.createThread({});
    const b = sut.createThread({});
    const { run } = sut.createRun(a.id, { assistant_id: assistant.id });
    const err = errorOf(() => sut.getRun(b.id, run.id));
    expect(err.status).toBe(404);
    expect(err.body).toEqual({
      error: {
        message: `No run found with id '${run.id}'.`,
        type: 'invalid_request_error',
        param: null,
        code: null,
      },
    });
    expect(errorOf(() => sut.getAssistant('asst_nope')).status).toBe(404);
    sut.deleteAssistant(assistant.id);
    expect(errorOf(() => sut.getAssistant(assistant.id)).status).toBe(404);
    expect(errorOf(() => sut.createRun(b.id, { assistant_id: assistant.id })).status).toBe(404);
  });

  it('requires model, purpose and file', () => {
    const sut = storeAt({ ms: 0 });
    expect(errorOf(() => sut.createAssistant({})).body).toMatchObject({ error: { param: 'model' } });
    expect(
      errorOf(() => sut.createFile(undefined, { filename: 'x', data: Buffer.alloc(1) })).body,
    ).toMatchObject({ error: { param: 'purpose' } });
    expect(errorOf(() => sut.createFile('assistants', undefined)).body).toMatchObject({
      error: { param: 'file' },
    });
  });
});

describe(paginate.name, () => {
  const items = Array.from({ length: 5 }, (_, i) => ({ id: `o${i}`, created_at: i }));

  it('lists newest first with cursors and has_more', () => {
    const page = paginate(items, { limit: 2 });
    expect(page).toEqual({
      object: 'list',
      data: [items[4], items[3]],
      first_id: 'o4',
      last_id: 'o3',
      has_more: true,
    });
    const next = paginate(items, { limit: 2, after: 'o3' });
    expect(next.data.map((o) => o.id)).toEqual(['o2', 'o1']);
    const last = paginate(items, { limit: 2, after: 'o1' });
    expect(last).toMatchObject({ data: [items[0]], has_more: false });
  });

  it('lists oldest first with order asc and pages backwards with before', () => {
    expect(paginate(items, { order: 'asc', limit: 3 }).data.map((o) => o.id)).toEqual(['o0', 'o1', 'o2']);
    expect(paginate(items, { order: 'asc', limit: 2, before: 'o3' }).data.map((o) => o.id)).toEqual([
      'o1',
      'o2',
    ]);
  });

  it('rejects a limit outside 1..100', () => {
    expect(errorOf(() => paginate(items, { limit: 0 })).status).toBe(400);
    expect(errorOf(() => paginate(items, { limit: 101 })).status).toBe(400);
  });

  it('answers an empty list with null ids', () => {
    expect(paginate([], {})).toEqual({
      object: 'list',
      data: [],
      first_id: null,
      last_id: null,
      has_more: false,
    });
  });
});
