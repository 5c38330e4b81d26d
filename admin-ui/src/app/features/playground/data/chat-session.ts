import { computed, signal } from '@angular/core';
import { finishNote, type StreamUpdate, type TokenUsage } from './chat-chunks';
import type { ChatRequest } from './chat-stream.service';

export interface Turn {
  id: number;
  role: 'user' | 'assistant';
  content: string;
  streaming?: boolean;
  usage?: TokenUsage;
  error?: string;
  note?: string;
}

export type Streamer = (request: ChatRequest, signal: AbortSignal) => AsyncIterable<StreamUpdate>;

/**
 * One Playground conversation: the turns, the answer being streamed, stop and clear. Knows nothing of
 * HTTP: `send` is handed a streamer, so the stream handling is testable without a server.
 */
export class ChatSession {
  private readonly turnsSignal = signal<Turn[]>([]);
  private controller: AbortController | null = null;
  private nextId = 1;
  readonly turns = this.turnsSignal.asReadonly();
  readonly streaming = signal(false);
  readonly totalTokens = computed(() => this.turnsSignal().reduce((sum, t) => sum + (t.usage?.total_tokens ?? 0), 0));

  /** Sends `text` after the history; `build` turns the history into the request (system message, parameters). */
  async send(text: string, build: (history: { role: 'user' | 'assistant'; content: string }[]) => ChatRequest, streamer: Streamer): Promise<void> {
    if (this.streaming() || !text.trim()) return;
    const history = this.turnsSignal()
      .filter((t) => !t.error && t.content)
      .map((t) => ({ role: t.role, content: t.content }));
    history.push({ role: 'user', content: text });
    const answerId = this.nextId + 1;
    this.turnsSignal.update((ts) => [...ts, { id: this.nextId++, role: 'user', content: text }, { id: this.nextId++, role: 'assistant', content: '', streaming: true }]);
    const controller = new AbortController();
    this.controller = controller;
    this.streaming.set(true);
    try {
      for await (const u of streamer(build(history), controller.signal)) {
        if (u.kind === 'done') break;
        this.apply(answerId, u);
        if (u.kind === 'error') break;
      }
    } catch (err) {
      if (controller.signal.aborted) this.patch(answerId, (t) => ({ note: t.content ? 'Stopped.' : 'Stopped before the model answered.' }));
      else this.patch(answerId, () => ({ error: err instanceof Error ? err.message : String(err) }));
    } finally {
      this.patch(answerId, () => ({ streaming: false }));
      this.streaming.set(false);
      this.controller = null;
    }
  }

  stop(): void {
    this.controller?.abort();
  }

  clear(): void {
    this.stop();
    this.turnsSignal.set([]);
  }

  private apply(id: number, u: StreamUpdate): void {
    switch (u.kind) {
      case 'delta':
        this.patch(id, (t) => ({ content: t.content + u.content }));
        break;
      case 'usage':
        this.patch(id, () => ({ usage: u.usage }));
        break;
      case 'finish': {
        const note = finishNote(u.reason);
        if (note) this.patch(id, () => ({ note }));
        break;
      }
      case 'error':
        this.patch(id, () => ({ error: u.message }));
        break;
    }
  }

  private patch(id: number, change: (t: Turn) => Partial<Turn>): void {
    this.turnsSignal.update((ts) => ts.map((t) => (t.id === id ? { ...t, ...change(t) } : t)));
  }
}
