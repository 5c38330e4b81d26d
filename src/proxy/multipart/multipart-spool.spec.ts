import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { MultipartError } from './multipart-scanner';
import { spoolMultipart, SpoolOptions, UploadAborted, UploadTooLarge } from './multipart-spool';

const B = 'spool-boundary';
const TYPE = `multipart/form-data; boundary=${B}`;

function upload(fileBytes: number): Buffer {
  return Buffer.concat([
    Buffer.from(`--${B}\r\nContent-Disposition: form-data; name="file"; filename="a.wav"\r\n\r\n`),
    Buffer.alloc(fileBytes, 1),
    Buffer.from(`\r\n--${B}\r\nContent-Disposition: form-data; name="model"\r\n\r\nwhisper\r\n--${B}--\r\n`),
  ]);
}

function chunked(buffer: Buffer, size = 4096): Readable {
  return Readable.from((function* () {
    for (let i = 0; i < buffer.length; i += size) yield buffer.subarray(i, i + size);
  })());
}

describe(spoolMultipart.name, () => {
  let dir: string;
  let options: SpoolOptions;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'aip-spool-spec-'));
    options = { dir, maxFileBytes: 10_000, maxBodyBytes: 12_000, maxDrainBytes: 1_000_000 };
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('copies the body to a private file, finds its fields, and removes the file on dispose', async () => {
    const input = upload(5_000);
    const sut = await spoolMultipart(chunked(input, 333), TYPE, input.length, options);
    expect(readFileSync(sut.path)).toEqual(input);
    expect(sut.fields).toEqual({ model: 'whisper' });
    expect(sut.hasPart('file')).toBe(true);
    expect(sut.hasPart('prompt')).toBe(false);
    await sut.dispose();
    expect(existsSync(sut.path)).toBe(false);
    await sut.dispose();
  });

  it('refuses a file over the limit while reading, drains the rest and leaves no file behind', async () => {
    const source = chunked(upload(10_500));
    await expect(spoolMultipart(source, TYPE, undefined, { ...options, maxBodyBytes: 1_000_000 })).rejects.toBeInstanceOf(UploadTooLarge);
    await finished(source);
    expect(source.readableEnded).toBe(true);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('refuses a body over the limit by its content-length before reading it', async () => {
    const source = chunked(upload(100));
    await expect(spoolMultipart(source, TYPE, 50_000, options)).rejects.toBeInstanceOf(UploadTooLarge);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('refuses a body over the limit without content-length', async () => {
    await expect(spoolMultipart(chunked(upload(20_000)), TYPE, undefined, { ...options, maxFileBytes: 1_000_000 })).rejects.toBeInstanceOf(UploadTooLarge);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('rejects a body that is not multipart, or is cut short', async () => {
    await expect(spoolMultipart(chunked(Buffer.from('{}')), 'application/json', 2, options)).rejects.toBeInstanceOf(MultipartError);
    const cut = upload(100).subarray(0, 150);
    await expect(spoolMultipart(chunked(cut), TYPE, undefined, options)).rejects.toBeInstanceOf(MultipartError);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('reports a client that disconnects mid-upload', async () => {
    const source = new PassThrough();
    const spooled = spoolMultipart(source, TYPE, undefined, options);
    source.write(upload(100).subarray(0, 80));
    source.destroy(new Error('aborted'));
    await expect(spooled).rejects.toBeInstanceOf(UploadAborted);
    expect(readdirSync(dir)).toEqual([]);
  });
});
