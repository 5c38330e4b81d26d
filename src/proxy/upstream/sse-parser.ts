/**
 * Splits an SSE byte stream into whole events without decoding more than needed: the proxy forwards
 * event by event so it can read usage and drop the usage chunk a client did not ask for.
 */
export class SseEventSplitter {
  private pending: Buffer = Buffer.alloc(0);

  /** Feeds bytes; returns the complete events (each including its blank-line terminator). */
  push(chunk: Buffer): Buffer[] {
    this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    const events: Buffer[] = [];
    let start = 0;
    for (;;) {
      const end = findEventEnd(this.pending, start);
      if (end < 0) break;
      events.push(this.pending.subarray(start, end));
      start = end;
    }
    this.pending = start === 0 ? this.pending : Buffer.from(this.pending.subarray(start));
    return events;
  }

  /** Bytes received after the last complete event (a stream cut mid-event). */
  rest(): Buffer {
    return this.pending;
  }
}

/** Index just past the next "\n\n" or "\r\n\r\n" at or after `from`, or -1. */
function findEventEnd(buf: Buffer, from: number): number {
  for (let i = from; i < buf.length - 1; i++) {
    if (buf[i] === 0x0a) {
      if (buf[i + 1] === 0x0a) return i + 2;
      if (buf[i + 1] === 0x0d && buf[i + 2] === 0x0a) return i + 3;
    }
  }
  return -1;
}

export interface ParsedSseEvent {
  event?: string;
  data: string;
}

export function parseSseEvent(raw: Buffer): ParsedSseEvent {
  let event: string | undefined;
  const data: string[] = [];
  for (const line of raw.toString('utf8').split(/\r?\n/)) {
    if (line.startsWith('data:')) data.push(line.slice(line[5] === ' ' ? 6 : 5));
    else if (line.startsWith('event:')) event = line.slice(6).trim();
  }
  return { event, data: data.join('\n') };
}
