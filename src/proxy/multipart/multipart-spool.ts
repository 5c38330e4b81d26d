import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { boundaryOf, MultipartError, MultipartFileTooLarge, MultipartLayout, MultipartScanner } from './multipart-scanner';

export interface SpoolOptions {
  /** Directory for the temporary copy. */
  dir: string;
  /** Largest file part. */
  maxFileBytes: number;
  /** Largest whole body (file, other fields and framing). */
  maxBodyBytes: number;
  /** After a refusal the rest of the body is read and dropped up to this many bytes, then the connection is cut. */
  maxDrainBytes: number;
}

/** A multipart upload copied to a private temporary file, with the layout of its parts. */
export interface SpooledUpload {
  path: string;
  contentType: string;
  layout: MultipartLayout;
  /** Text fields by name (the first of each), e.g. `model`, `response_format`. */
  fields: Record<string, string>;
  hasPart(name: string): boolean;
  /** Removes the temporary file; safe to call more than once. */
  dispose(): Promise<void>;
}

export class UploadTooLarge extends Error {
  constructor(readonly limit: number) {
    super(`upload larger than ${limit} bytes`);
    this.name = UploadTooLarge.name;
  }
}

/** The client went away (or its connection broke) before the upload was complete. */
export class UploadAborted extends Error {
  constructor() {
    super('the client closed the connection during the upload');
    this.name = UploadAborted.name;
  }
}

/**
 * Reads the body once, into a temporary file, while the scanner finds the parts and the byte counts are
 * checked: nothing bigger than a chunk is held in memory. On a refusal the file is removed and the rest
 * of the body is drained, so the client reads a clean error instead of a reset connection.
 */
export async function spoolMultipart(source: Readable, contentType: string | undefined, contentLength: number | undefined, options: SpoolOptions): Promise<SpooledUpload> {
  const boundary = boundaryOf(contentType);
  if (boundary === undefined) throw new MultipartError('the body is not multipart/form-data');
  if (contentLength !== undefined && contentLength > options.maxBodyBytes) {
    drain(source, options.maxDrainBytes);
    throw new UploadTooLarge(options.maxBodyBytes);
  }
  const scanner = new MultipartScanner(boundary, { maxFileBytes: options.maxFileBytes });
  const path = join(options.dir, `aip-upload-${randomUUID()}`);
  const file = createWriteStream(path, { flags: 'wx', mode: 0o600 });
  const dispose = () => rm(path, { force: true }).catch(() => undefined);

  try {
    await new Promise<void>((resolve, reject) => {
      let bytes = 0;
      let settled = false;
      const cleanup = () => {
        source.off('data', onData);
        source.off('end', onEnd);
        source.off('error', onAbort);
        source.off('close', onClose);
      };
      const fail = (err: Error, drainRest: boolean) => {
        if (settled) return;
        settled = true;
        cleanup();
        file.destroy();
        if (drainRest) drain(source, options.maxDrainBytes);
        reject(err);
      };
      const onData = (chunk: Buffer) => {
        bytes += chunk.length;
        try {
          if (bytes > options.maxBodyBytes) throw new UploadTooLarge(options.maxBodyBytes);
          scanner.push(chunk);
        } catch (err) {
          const refused = err instanceof MultipartFileTooLarge ? new UploadTooLarge(options.maxFileBytes) : (err as Error);
          fail(refused, true);
          return;
        }
        if (!file.write(chunk)) {
          source.pause();
          file.once('drain', () => source.resume());
        }
      };
      const onEnd = () => {
        if (settled) return;
        settled = true;
        cleanup();
        file.end((err?: Error | null) => (err ? reject(err) : resolve()));
      };
      const onAbort = () => fail(new UploadAborted(), false);
      const onClose = () => {
        if (!source.readableEnded) onAbort();
      };
      const onFileError = (err: Error) => fail(err, true);
      source.on('data', onData);
      source.once('end', onEnd);
      source.once('error', onAbort);
      source.once('close', onClose);
      file.on('error', onFileError);
      source.resume();
    });
    const layout = scanner.end();
    const fields: Record<string, string> = {};
    for (const part of layout.parts) if (part.value !== undefined && !(part.name in fields)) fields[part.name] = part.value;
    return {
      path,
      contentType: contentType!,
      layout,
      fields,
      hasPart: (name) => layout.parts.some((p) => p.name === name),
      dispose,
    };
  } catch (err) {
    // The file may still be opening; removing it before it exists would leave it behind.
    if (!file.closed) await once(file, 'close').catch(() => undefined);
    await dispose();
    throw err;
  }
}

/** Reads and drops what is left of a refused body; past the limit, the connection is cut instead. */
function drain(source: Readable, limit: number): void {
  let dropped = 0;
  source.on('data', (chunk: Buffer) => {
    dropped += chunk.length;
    if (dropped > limit) source.destroy();
  });
  source.on('error', () => undefined);
  source.resume();
}
