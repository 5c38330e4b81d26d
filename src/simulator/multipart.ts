/** A small multipart/form-data reader: enough for audio uploads, and no dependency to keep up to date. */

export interface MultipartPart {
  name: string;
  filename?: string;
  contentType?: string;
  data: Buffer;
}

export class MultipartError extends Error {
  constructor(message: string) {
    super(message);
    this.name = MultipartError.name;
  }
}

export function boundaryOf(contentType: string | undefined): string | undefined {
  if (contentType === undefined || !/^multipart\/form-data/i.test(contentType.trim())) return undefined;
  const match = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  return match?.[1] ?? match?.[2];
}

function parseHeaders(block: string): { name?: string; filename?: string; contentType?: string } {
  const result: { name?: string; filename?: string; contentType?: string } = {};
  for (const line of block.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const key = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (key === 'content-type') result.contentType = value;
    if (key === 'content-disposition') {
      result.name = /(?:^|;)\s*name="([^"]*)"/i.exec(value)?.[1];
      result.filename = /(?:^|;)\s*filename="([^"]*)"/i.exec(value)?.[1];
    }
  }
  return result;
}

export function parseMultipart(body: Buffer, boundary: string): MultipartPart[] {
  const delimiter = Buffer.from(`--${boundary}`);
  const parts: MultipartPart[] = [];
  let cursor = body.indexOf(delimiter);
  if (cursor < 0) throw new MultipartError('multipart body has no boundary line');
  for (;;) {
    cursor += delimiter.length;
    if (body.subarray(cursor, cursor + 2).toString() === '--') return parts;
    // Skip the CRLF after the boundary line.
    cursor = body.indexOf('\r\n', cursor);
    if (cursor < 0) throw new MultipartError('truncated multipart body');
    cursor += 2;
    const headerEnd = body.indexOf('\r\n\r\n', cursor);
    if (headerEnd < 0) throw new MultipartError('multipart part without a header end');
    const headers = parseHeaders(body.subarray(cursor, headerEnd).toString('utf8'));
    const next = body.indexOf(Buffer.concat([Buffer.from('\r\n'), delimiter]), headerEnd + 4);
    if (next < 0) throw new MultipartError('multipart part without a closing boundary');
    if (headers.name !== undefined) {
      parts.push({
        name: headers.name,
        filename: headers.filename,
        contentType: headers.contentType,
        data: body.subarray(headerEnd + 4, next),
      });
    }
    cursor = next + 2;
  }
}

/** Plain fields as strings (files excluded), for reading `model`, `response_format`, `prompt`. */
export function multipartFields(parts: readonly MultipartPart[]): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const part of parts) if (part.filename === undefined) fields[part.name] = part.data.toString('utf8');
  return fields;
}
