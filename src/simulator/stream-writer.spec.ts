import type { ServerResponse } from 'node:http';
import { Writable } from 'node:stream';
import type { StreamEvent, StreamPlan } from './sse';
import { type EventSink, SseWriter, playStream } from './stream-writer';

class RecordingSink implements EventSink {
  readonly written: string[] = [];
  ended = false;
  dropped = false;

  async write(text: string): Promise<boolean> {
    this.written.push(text);
    return true;
  }

  end(): void {
    this.ended = true;
  }

  drop(): void {
    this.dropped = true;
  }
}

const content = (text: string): StreamEvent => ({ kind: 'content', text, data: { text } });
const plan: StreamPlan = {
  events: [{ kind: 'head', data: { head: true } }, content('a '), content('b '), content('c'), { kind: 'tail', data: '[DONE]' }],
  filtered: (emitted, written) => [{ kind: 'tail', data: { filtered: emitted, written } }],
  failed: (written) => [{ kind: 'tail', data: { error: { written } } }],
};
const noDelays = { ttftMs: 0, interChunkMs: 0 };

describe(playStream.name, () => {
  it('writes every event as SSE and ends', async () => {
    const sink = new RecordingSink();

    const sut = await playStream(sink, plan, noDelays);

    expect(sut).toBe('completed');
    expect(sink.written).toEqual(['data: {"head":true}\n\n', 'data: {"text":"a "}\n\n', 'data: {"text":"b "}\n\n', 'data: {"text":"c"}\n\n', 'data: [DONE]\n\n']);
    expect(sink.ended).toBe(true);
  });

  it('switches to the filtered tail after N content events', async () => {
    const sink = new RecordingSink();

    const sut = await playStream(sink, plan, { ...noDelays, filterStreamAfter: 2 });

    expect(sut).toBe('filtered');
    expect(sink.written.at(-1)).toBe('data: {"filtered":"a b ","written":3}\n\n');
    expect(sink.written).toHaveLength(4);
  });

  it('still fires when N exceeds the content, just before the tail', async () => {
    const sink = new RecordingSink();

    await playStream(sink, plan, { ...noDelays, streamErrorAfter: 99 });

    expect(sink.written.at(-1)).toBe('data: {"error":{"written":4}}\n\n');
    expect(sink.written.join('')).not.toContain('[DONE]');
  });

  it('drops the connection after N content events without ending it', async () => {
    const sink = new RecordingSink();

    const sut = await playStream(sink, plan, { ...noDelays, dropAfter: 1 });

    expect(sut).toBe('dropped');
    expect(sink.written).toHaveLength(2);
    expect(sink.dropped).toBe(true);
    expect(sink.ended).toBe(false);
  });

  it('waits ttft before the first event and inter_chunk between the others', async () => {
    const sink = new RecordingSink();
    const started = Date.now();

    await playStream(sink, plan, { ttftMs: 40, interChunkMs: 10 });

    expect(Date.now() - started).toBeGreaterThanOrEqual(40 + 4 * 10 - 5);
  });
});

describe(SseWriter.name, () => {
  /** A writable whose writes complete only when the test says so, like a slow client. */
  function slowClient(): { stream: Writable; release: () => void } {
    const pending: (() => void)[] = [];
    const stream = new Writable({
      highWaterMark: 1,
      write: (_chunk, _encoding, callback) => pending.push(() => callback()),
    });
    return { stream, release: () => pending.splice(0).forEach((done) => done()) };
  }

  it('waits for drain before reporting a write done', async () => {
    const client = slowClient();
    const sut = new SseWriter(client.stream as unknown as ServerResponse);
    let settled = false;

    const writing = sut.write('data: x\n\n').then((ok) => {
      settled = true;
      return ok;
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(settled).toBe(false);
    client.release();

    await expect(writing).resolves.toBe(true);
  });

  it('stops waiting and reports false when the client goes away', async () => {
    const client = slowClient();
    const sut = new SseWriter(client.stream as unknown as ServerResponse);

    const writing = sut.write('data: x\n\n');
    client.stream.destroy();

    await expect(writing).resolves.toBe(false);
  });

  it('stops playing once the client has gone', async () => {
    const sink = new RecordingSink();
    sink.write = async (text) => {
      sink.written.push(text);
      return sink.written.length < 2;
    };

    await expect(playStream(sink, plan, noDelays)).resolves.toBe('client-closed');
    expect(sink.written).toHaveLength(2);
  });
});
