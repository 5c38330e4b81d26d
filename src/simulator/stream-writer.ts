import type { ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ResolvedFaults } from './faults';
import { type StreamEvent, type StreamPlan, formatSse } from './sse';

export type StreamOutcome = 'completed' | 'filtered' | 'failed' | 'dropped' | 'client-closed';

/** Where a played stream goes; a real response in the app, a recorder in unit tests. */
export interface EventSink {
  /** Resolves false once the client has gone, so the player stops. */
  write(text: string): Promise<boolean>;
  end(): void;
  drop(): void;
}

/** Writes to a raw response honouring backpressure; a client that goes away ends the wait. */
export class SseWriter implements EventSink {
  constructor(private readonly res: ServerResponse) {}

  get closed(): boolean {
    return this.res.destroyed || this.res.writableEnded;
  }

  async write(text: string): Promise<boolean> {
    if (this.closed) return false;
    if (!this.res.write(text)) {
      await new Promise<void>((resolve) => {
        const done = (): void => {
          this.res.off('drain', done);
          this.res.off('close', done);
          resolve();
        };
        this.res.on('drain', done);
        this.res.on('close', done);
      });
    }
    return !this.closed;
  }

  end(): void {
    if (!this.closed) this.res.end();
  }

  /**
   * A connection lost mid-body: what was written is flushed, then the socket closes without the final
   * chunk, so clients see a truncated stream rather than an empty one.
   */
  drop(): void {
    const socket = this.res.socket;
    if (!socket) {
      this.res.destroy();
      return;
    }
    socket.end(() => socket.destroy());
  }
}

type StreamFaults = Pick<ResolvedFaults, 'ttftMs' | 'interChunkMs' | 'filterStreamAfter' | 'streamErrorAfter' | 'dropAfter'>;

/**
 * Plays a planned stream. The stream faults fire at a content boundary once N content events have gone
 * out (at the latest just before the tail, so a large N still fires), checked in the spec's order:
 * filter_stream_after, stream_error_after, drop_after.
 */
export async function playStream(writer: EventSink, plan: StreamPlan, faults: StreamFaults, signal?: AbortSignal): Promise<StreamOutcome> {
  let written = 0;
  let contentSent = 0;
  let emittedText = '';
  let reachedTail = false;

  const send = async (event: StreamEvent): Promise<boolean> => {
    const delay = written === 0 ? faults.ttftMs : faults.interChunkMs;
    if (delay > 0) await sleep(delay, undefined, { signal });
    written += 1;
    return writer.write(formatSse(event));
  };
  const sendAll = async (events: StreamEvent[]): Promise<boolean> => {
    for (const event of events) if (!(await send(event))) return false;
    return true;
  };

  // At the first tail event every armed fault fires, whatever its N: the text ran out before N.
  const due = (after: number | undefined, atTail: boolean): boolean => after !== undefined && (atTail || contentSent >= after);

  for (const event of plan.events) {
    const atTail = event.kind === 'tail' && !reachedTail;
    if (event.kind === 'tail') reachedTail = true;
    if (event.kind === 'content' || atTail) {
      if (due(faults.filterStreamAfter, atTail)) {
        const ok = await sendAll(plan.filtered(emittedText, written));
        writer.end();
        return ok ? 'filtered' : 'client-closed';
      }
      if (due(faults.streamErrorAfter, atTail)) {
        const ok = await sendAll(plan.failed(written));
        writer.end();
        return ok ? 'failed' : 'client-closed';
      }
      if (due(faults.dropAfter, atTail)) {
        writer.drop();
        return 'dropped';
      }
    }
    if (!(await send(event))) return 'client-closed';
    if (event.kind === 'content') {
      contentSent += 1;
      emittedText += event.text ?? '';
    }
  }
  writer.end();
  return 'completed';
}
