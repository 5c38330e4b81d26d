import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import type { MultipartLayout } from './multipart-scanner';

/** A piece of the body sent upstream: a byte range of the spooled file, or new bytes. */
export type Segment = { file: [start: number, end: number] } | { bytes: Buffer };

export interface BodyPlan {
  segments: Segment[];
  length: number;
}

/**
 * How to send the spooled body with the `model` field set to `model` (added when absent) or, with
 * null, removed. Every other byte is the client's, in the client's order.
 */
export function planModelRewrite(layout: MultipartLayout, model: string | null): BodyPlan {
  const segments: Segment[] = [];
  const models = layout.parts.filter((p) => p.name === 'model' && p.filename === undefined);
  let cursor = 0;
  const copyTo = (offset: number) => {
    if (offset > cursor) segments.push({ file: [cursor, offset] });
    cursor = Math.max(cursor, offset);
  };
  if (model !== null && models.length === 0) {
    const at = layout.parts[0]?.start ?? layout.closeStart;
    copyTo(at);
    segments.push({ bytes: Buffer.from(`--${layout.boundary}\r\nContent-Disposition: form-data; name="model"\r\n\r\n${model}\r\n`) });
  }
  for (const [i, part] of models.entries()) {
    if (model === null || i > 0) {
      // Removed, and so is any duplicate, so the upstream cannot read a different one.
      copyTo(part.start);
      cursor = part.end;
    } else {
      copyTo(part.dataStart);
      segments.push({ bytes: Buffer.from(model) });
      cursor = part.dataEnd;
    }
  }
  copyTo(layout.size);
  return { segments, length: segments.reduce((n, s) => n + ('bytes' in s ? s.bytes.length : s.file[1] - s.file[0]), 0) };
}

/** A fresh stream of the planned body, read from the spooled file; one per upstream attempt. */
export function openPlannedBody(path: string, plan: BodyPlan): Readable {
  return Readable.from(
    (async function* () {
      for (const segment of plan.segments) {
        if ('bytes' in segment) yield segment.bytes;
        else if (segment.file[1] > segment.file[0]) {
          for await (const chunk of createReadStream(path, { start: segment.file[0], end: segment.file[1] - 1, highWaterMark: 64 * 1024 })) {
            yield chunk as Buffer;
          }
        }
      }
    })(),
    { objectMode: false },
  );
}
