import { MultipartError, boundaryOf, multipartFields, parseMultipart } from './multipart';

function formBody(boundary: string): Buffer {
  return Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="model"\r\n\r\nwhisper\r\n`),
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.wav"\r\nContent-Type: audio/wav\r\n\r\n`),
    Buffer.from([0, 1, 2, 13, 10, 3]),
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
}

describe(parseMultipart.name, () => {
  it('reads fields and files, keeping binary content intact', () => {
    const sut = parseMultipart(formBody('xyz'), 'xyz');

    expect(sut).toHaveLength(2);
    expect(multipartFields(sut)).toEqual({ model: 'whisper' });
    expect(sut[1]).toMatchObject({ name: 'file', filename: 'a.wav', contentType: 'audio/wav' });
    expect([...(sut[1]?.data ?? [])]).toEqual([0, 1, 2, 13, 10, 3]);
  });

  it('rejects a body without its closing boundary', () => {
    const truncated = formBody('xyz').subarray(0, 60);

    expect(() => parseMultipart(truncated, 'xyz')).toThrow(MultipartError);
  });
});

describe(boundaryOf.name, () => {
  it('reads plain and quoted boundaries, and only from multipart types', () => {
    expect(boundaryOf('multipart/form-data; boundary=abc')).toBe('abc');
    expect(boundaryOf('multipart/form-data; boundary="a b"')).toBe('a b');
    expect(boundaryOf('application/json')).toBeUndefined();
  });
});
