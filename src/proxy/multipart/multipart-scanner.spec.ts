import { boundaryOf, MultipartError, MultipartFileTooLarge, MultipartLayout, MultipartScanner } from './multipart-scanner';

const B = 'form-boundary-123';

function body(parts: { name: string; filename?: string; data: string | Buffer }[], preamble = ''): Buffer {
  const chunks: Buffer[] = [Buffer.from(preamble)];
  for (const p of parts) {
    const disposition = `form-data; name="${p.name}"${p.filename === undefined ? '' : `; filename="${p.filename}"`}`;
    const type = p.filename === undefined ? '' : 'Content-Type: audio/wav\r\n';
    chunks.push(Buffer.from(`--${B}\r\nContent-Disposition: ${disposition}\r\n${type}\r\n`), Buffer.from(p.data), Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${B}--\r\n`));
  return Buffer.concat(chunks);
}

function scan(input: Buffer, chunkSize = input.length, limits = {}): MultipartLayout {
  const sut = new MultipartScanner(B, limits);
  for (let i = 0; i < input.length; i += chunkSize) sut.push(input.subarray(i, i + chunkSize));
  return sut.end();
}

// A file body that contains the delimiter's first bytes, CRLFs and dashes, so a naive split would fail.
const AUDIO = Buffer.concat([Buffer.from('RIFF\r\n--form-bound\r\n\r\n--'), Buffer.alloc(300, 7), Buffer.from('\r\n-')]);
const SAMPLE = body([
  { name: 'file', filename: 'speech.wav', data: AUDIO },
  { name: 'model', data: 'whisper-eu' },
  { name: 'response_format', data: 'verbose_json' },
]);

describe(MultipartScanner.name, () => {
  it('locates every part and keeps text field values, whatever the chunking', () => {
    const whole = scan(SAMPLE);
    expect(whole.parts.map((p) => [p.name, p.filename, p.value])).toEqual([
      ['file', 'speech.wav', undefined],
      ['model', undefined, 'whisper-eu'],
      ['response_format', undefined, 'verbose_json'],
    ]);
    const file = whole.parts[0];
    expect(SAMPLE.subarray(file.dataStart, file.dataEnd)).toEqual(AUDIO);
    expect(file.contentType).toBe('audio/wav');
    expect(file.start).toBe(0);
    expect(SAMPLE.subarray(whole.parts[1].dataStart, whole.parts[1].dataEnd).toString()).toBe('whisper-eu');
    expect(SAMPLE.subarray(whole.parts[1].start, whole.parts[1].start + B.length + 2).toString()).toBe(`--${B}`);
    expect(whole.parts[0].end).toBe(whole.parts[1].start);
    expect(whole.parts[2].end).toBe(whole.closeStart);
    expect(SAMPLE.subarray(whole.closeStart).toString()).toBe(`--${B}--\r\n`);
    expect(whole.size).toBe(SAMPLE.length);
    for (const size of [1, 2, 3, 7, 19, 64]) expect(scan(SAMPLE, size)).toEqual(whole);
  });

  it('skips a preamble and tolerates transport padding after a boundary', () => {
    const padded = Buffer.from(SAMPLE.toString('latin1').replace(`--${B}\r\nContent-Disposition: form-data; name="model"`, `--${B}  \r\nContent-Disposition: form-data; name="model"`), 'latin1');
    const layout = scan(Buffer.concat([Buffer.from('ignored preamble\r\n'), padded]), 5);
    expect(layout.parts.map((p) => p.value)).toEqual([undefined, 'whisper-eu', 'verbose_json']);
  });

  it('refuses a file part over the limit as soon as it is seen', () => {
    const sut = new MultipartScanner(B, { maxFileBytes: 100 });
    expect(() => sut.push(SAMPLE)).toThrow(MultipartFileTooLarge);
  });

  it('drops the value of an overlong text field but still finds the parts after it', () => {
    const layout = scan(body([{ name: 'prompt', data: 'x'.repeat(50) }, { name: 'model', data: 'm' }]), 8, { maxFieldBytes: 10 });
    expect(layout.parts.map((p) => [p.name, p.value])).toEqual([['prompt', undefined], ['model', 'm']]);
  });

  it('rejects a body that ends before its closing boundary, or a part without a name', () => {
    expect(() => scan(SAMPLE.subarray(0, SAMPLE.length - 10))).toThrow(MultipartError);
    expect(() => scan(Buffer.from(`--${B}\r\nContent-Type: text/plain\r\n\r\nx\r\n--${B}--`))).toThrow(/name/);
    expect(() => scan(Buffer.from('not multipart at all'))).toThrow(MultipartError);
  });
});

describe(boundaryOf.name, () => {
  it('reads quoted and bare boundaries of multipart/form-data only', () => {
    expect(boundaryOf('multipart/form-data; boundary=----abc123')).toBe('----abc123');
    expect(boundaryOf('Multipart/Form-Data; charset=utf-8; boundary="a b:c"')).toBe('a b:c');
    expect(boundaryOf('multipart/mixed; boundary=x')).toBeUndefined();
    expect(boundaryOf('multipart/form-data')).toBeUndefined();
    expect(boundaryOf('application/json')).toBeUndefined();
    expect(boundaryOf(undefined)).toBeUndefined();
  });
});
