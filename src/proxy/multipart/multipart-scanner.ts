/**
 * An incremental multipart/form-data reader that never holds a file in memory: it records where each
 * part lies in the byte stream (so the spooled copy can be re-sent with one field changed) and keeps the
 * values of small text fields such as `model`.
 */

export interface MultipartPart {
  name: string;
  filename?: string;
  contentType?: string;
  /** Offset of the part's `--boundary` line. */
  start: number;
  /** Offset of the part's first data byte. */
  dataStart: number;
  /** Offset just past the data (where `\r\n--boundary` begins). */
  dataEnd: number;
  /** Offset of the next `--boundary` line: removing [start, end) removes the part cleanly. */
  end: number;
  /** The value of a text field (no filename), when it fits in the field limit. */
  value?: string;
}

export interface MultipartLayout {
  boundary: string;
  parts: MultipartPart[];
  /** Offset of the closing `--boundary--` line. */
  closeStart: number;
  /** Total bytes seen, epilogue included. */
  size: number;
}

export class MultipartError extends Error {
  constructor(message: string) {
    super(message);
    this.name = MultipartError.name;
  }
}

/** A file part grew beyond the limit. */
export class MultipartFileTooLarge extends Error {
  constructor(readonly limit: number) {
    super(`file part larger than ${limit} bytes`);
    this.name = MultipartFileTooLarge.name;
  }
}

export interface ScannerLimits {
  /** Largest file part accepted. */
  maxFileBytes: number;
  /** Text fields longer than this are skipped (their value is not kept). */
  maxFieldBytes: number;
  /** Largest header block of one part. */
  maxHeaderBytes: number;
}

const DEFAULT_LIMITS: ScannerLimits = { maxFileBytes: Number.MAX_SAFE_INTEGER, maxFieldBytes: 64 * 1024, maxHeaderBytes: 16 * 1024 };
const CRLF = Buffer.from('\r\n');
const HEADER_END = Buffer.from('\r\n\r\n');

/** The boundary of a multipart/form-data content type, or undefined for anything else. */
export function boundaryOf(contentType: string | undefined): string | undefined {
  if (contentType === undefined || !/^multipart\/form-data\s*(;|$)/i.test(contentType.trim())) return undefined;
  const match = /;\s*boundary=(?:"([^"]{1,70})"|([^;\s"]{1,70}))/i.exec(contentType);
  return match?.[1] ?? match?.[2];
}

function parsePartHeaders(block: string): { name?: string; filename?: string; contentType?: string } {
  const out: { name?: string; filename?: string; contentType?: string } = {};
  for (const line of block.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const key = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (key === 'content-type') out.contentType = value;
    else if (key === 'content-disposition') {
      out.name = /(?:^|;)\s*name="((?:[^"\\]|\\.)*)"/i.exec(value)?.[1] ?? /(?:^|;)\s*name=([^;\s"]+)/i.exec(value)?.[1];
      out.filename = /(?:^|;)\s*filename="((?:[^"\\]|\\.)*)"/i.exec(value)?.[1] ?? /(?:^|;)\s*filename=([^;\s"]+)/i.exec(value)?.[1];
    }
  }
  return out;
}

type State = 'preamble' | 'afterDelimiter' | 'headers' | 'data' | 'done';

/**
 * Feed it the body chunk by chunk, then call end(). It works on the body with a CRLF put in front, so
 * the first boundary line matches the same `\r\n--boundary` delimiter as the others; in those "virtual"
 * offsets a delimiter's CRLF starts exactly where, in real offsets, its `--boundary` line starts.
 */
export class MultipartScanner {
  private readonly delimiter: Buffer;
  private readonly limits: ScannerLimits;
  private buf: Buffer = CRLF;
  /** Virtual offset of buf[0]. */
  private pos = 0;
  private state: State = 'preamble';
  private delimiterAt = 0;
  private current?: MultipartPart & { captured: Buffer[]; capturedBytes: number; overflow: boolean; bytes: number };
  private readonly parts: MultipartPart[] = [];
  private closeStart = -1;
  private size = 0;

  constructor(
    readonly boundary: string,
    limits: Partial<ScannerLimits> = {},
  ) {
    this.delimiter = Buffer.from(`\r\n--${boundary}`);
    this.limits = { ...DEFAULT_LIMITS, ...limits };
  }

  push(chunk: Buffer): void {
    this.size += chunk.length;
    if (this.state === 'done') return;
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    this.process();
  }

  end(): MultipartLayout {
    if (this.state !== 'done') throw new MultipartError('the multipart body ends before its closing boundary');
    return { boundary: this.boundary, parts: this.parts, closeStart: this.closeStart, size: this.size };
  }

  private consume(n: number): void {
    this.buf = this.buf.subarray(n);
    this.pos += n;
  }

  private process(): void {
    for (;;) {
      switch (this.state) {
        case 'preamble':
        case 'data': {
          const at = this.buf.indexOf(this.delimiter);
          if (at < 0) {
            // Keep a possible partial delimiter at the end for the next chunk.
            const keep = Math.min(this.buf.length, this.delimiter.length - 1);
            this.takeData(this.buf.length - keep);
            return;
          }
          this.takeData(at);
          if (this.state === 'data') this.finishPart(this.pos);
          this.delimiterAt = this.pos;
          this.consume(this.delimiter.length);
          this.state = 'afterDelimiter';
          break;
        }
        case 'afterDelimiter': {
          if (this.buf.length < 2) return;
          if (this.buf[0] === 0x2d && this.buf[1] === 0x2d) {
            this.closeStart = this.delimiterAt;
            this.state = 'done';
            this.buf = Buffer.alloc(0);
            return;
          }
          // RFC 2046 allows transport padding (spaces, tabs) before the line break.
          let i = 0;
          while (i < this.buf.length && (this.buf[i] === 0x20 || this.buf[i] === 0x09)) i++;
          if (this.buf.length < i + 2) {
            if (i > 256) throw new MultipartError('malformed multipart boundary line');
            return;
          }
          if (this.buf[i] !== 0x0d || this.buf[i + 1] !== 0x0a) throw new MultipartError('malformed multipart boundary line');
          this.consume(i + 2);
          this.state = 'headers';
          break;
        }
        case 'headers': {
          // A part without headers starts straight with the blank line.
          const at = this.buf.subarray(0, 2).equals(CRLF) ? -2 : this.buf.indexOf(HEADER_END);
          if (at === -1) {
            if (this.buf.length > this.limits.maxHeaderBytes) throw new MultipartError('a multipart part has too large a header block');
            return;
          }
          const headers = parsePartHeaders(at < 0 ? '' : this.buf.subarray(0, at).toString('utf8'));
          if (headers.name === undefined) throw new MultipartError('a multipart part has no content-disposition name');
          const skip = at < 0 ? 2 : at + 4;
          this.current = {
            name: headers.name,
            filename: headers.filename,
            contentType: headers.contentType,
            start: this.delimiterAt,
            dataStart: this.pos + skip - 2,
            dataEnd: -1,
            end: -1,
            captured: [],
            capturedBytes: 0,
            overflow: false,
            bytes: 0,
          };
          this.consume(skip);
          this.state = 'data';
          break;
        }
        case 'done':
          return;
      }
    }
  }

  /** Consumes n bytes of part data (or preamble), counting files and keeping small field values. */
  private takeData(n: number): void {
    if (n <= 0) return;
    const part = this.current;
    if (this.state === 'data' && part) {
      part.bytes += n;
      if (part.filename !== undefined) {
        if (part.bytes > this.limits.maxFileBytes) throw new MultipartFileTooLarge(this.limits.maxFileBytes);
      } else if (!part.overflow) {
        if (part.capturedBytes + n > this.limits.maxFieldBytes) {
          part.overflow = true;
          part.captured = [];
        } else {
          part.captured.push(Buffer.from(this.buf.subarray(0, n)));
          part.capturedBytes += n;
        }
      }
    }
    this.consume(n);
  }

  /** Closes the current part at a delimiter found at virtual offset `at`. */
  private finishPart(at: number): void {
    const part = this.current;
    if (!part) return;
    const { captured, overflow, capturedBytes: _c, bytes: _b, ...info } = part;
    this.parts.push({
      ...info,
      dataEnd: at - 2,
      end: at,
      ...(info.filename === undefined && !overflow ? { value: Buffer.concat(captured).toString('utf8') } : {}),
    });
    this.current = undefined;
  }
}
