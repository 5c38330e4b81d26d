import type { StreamUpdate } from './chat-chunks';
import { ChatSession, type Streamer } from './chat-session';
import type { ChatRequest } from './chat-stream.service';

const usage = { prompt_tokens: 3, completion_tokens: 4, total_tokens: 7 };
const build = (history: ChatRequest['messages']): ChatRequest => ({ model: 'chat', messages: [{ role: 'system', content: 'Be brief' }, ...history] });

function scripted(updates: StreamUpdate[]): Streamer & { requests: ChatRequest[] } {
  const requests: ChatRequest[] = [];
  const fn = async function* (request: ChatRequest) {
    requests.push(request);
    for (const u of updates) yield u;
  };
  return Object.assign(fn, { requests });
}

describe(ChatSession.name, () => {
  it('builds the answer from deltas and records the turn\'s token usage', async () => {
    const sut = new ChatSession();
    const streamer = scripted([
      { kind: 'delta', content: 'Hello' },
      { kind: 'delta', content: ', Ada' },
      { kind: 'finish', reason: 'stop' },
      { kind: 'usage', usage },
      { kind: 'done' },
    ]);

    await sut.send('Hi', build, streamer);

    expect(sut.turns().map(({ role, content, usage: u, streaming }) => ({ role, content, usage: u, streaming }))).toEqual([
      { role: 'user', content: 'Hi', usage: undefined, streaming: undefined },
      { role: 'assistant', content: 'Hello, Ada', usage, streaming: false },
    ]);
    expect(sut.totalTokens()).toBe(7);
    expect(sut.streaming()).toBe(false);
  });

  it('sends the history (without failed turns) after the system message', async () => {
    const sut = new ChatSession();
    await sut.send('First', build, scripted([{ kind: 'delta', content: 'One' }]));
    await sut.send('Broken', build, scripted([{ kind: 'error', message: 'Nope' }]));
    const third = scripted([{ kind: 'delta', content: 'Three' }]);

    await sut.send('Third', build, third);

    expect(third.requests[0].messages).toEqual([
      { role: 'system', content: 'Be brief' },
      { role: 'user', content: 'First' },
      { role: 'assistant', content: 'One' },
      { role: 'user', content: 'Broken' },
      { role: 'user', content: 'Third' },
    ]);
  });

  it('keeps the partial answer and shows an error sent mid-stream', async () => {
    const sut = new ChatSession();
    await sut.send('Hi', build, scripted([{ kind: 'delta', content: 'Par' }, { kind: 'error', message: 'The upstream failed mid-answer.' }, { kind: 'delta', content: 'ignored' }]));
    expect(sut.turns()[1]).toMatchObject({ content: 'Par', error: 'The upstream failed mid-answer.', streaming: false });
  });

  it('shows a refused request as a plain sentence', async () => {
    const sut = new ChatSession();
    const refused: Streamer = async function* () {
      yield* [];
      throw new Error('Your key was revoked by the organiser.');
    };
    await sut.send('Hi', build, refused);
    expect(sut.turns()[1]).toMatchObject({ content: '', error: 'Your key was revoked by the organiser.', streaming: false });
  });

  it('stops the stream on request and keeps what arrived', async () => {
    const sut = new ChatSession();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const slow: Streamer = async function* (_req, signal) {
      yield { kind: 'delta', content: 'Once upon' };
      await Promise.race([gate, new Promise((_, reject) => signal.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError'))))]);
      yield { kind: 'delta', content: ' a time' };
    };

    const sending = sut.send('Story', build, slow);
    await vi.waitFor(() => expect(sut.turns()[1]?.content).toBe('Once upon'));
    expect(sut.streaming()).toBe(true);
    sut.stop();
    await sending;
    release();

    expect(sut.turns()[1]).toMatchObject({ content: 'Once upon', note: 'Stopped.', streaming: false });
    expect(sut.streaming()).toBe(false);
  });

  it('notes a cut-off answer and clears the chat', async () => {
    const sut = new ChatSession();
    await sut.send('Hi', build, scripted([{ kind: 'delta', content: 'Lo' }, { kind: 'finish', reason: 'length' }]));
    expect(sut.turns()[1].note).toContain('max tokens');
    sut.clear();
    expect(sut.turns()).toEqual([]);
  });
});
