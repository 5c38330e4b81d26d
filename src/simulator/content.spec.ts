import {
  ONE_PIXEL_PNG_BASE64,
  chunkText,
  completionId,
  countTokens,
  decodeEmbeddingBase64,
  embeddingVector,
  encodeEmbeddingBase64,
  sha1Hex,
  speechBytes,
  truncateToTokens,
  wavBytes,
  wavDurationSeconds,
} from './content';

describe(countTokens.name, () => {
  it('sums ceil(chars/4) per text', () => {
    expect(countTokens(['abcd', 'abcde', ''])).toBe(1 + 2 + 0);
  });
});

describe(completionId.name, () => {
  it('is the prefix plus the first 29 hex digits of sha1 of the body', () => {
    const body = { messages: [{ role: 'user', content: 'hi' }] };

    const sut = completionId('chatcmpl-', body);

    expect(sut).toBe(`chatcmpl-${sha1Hex(JSON.stringify(body)).slice(0, 29)}`);
    expect(sut).toHaveLength('chatcmpl-'.length + 29);
  });
});

describe(truncateToTokens.name, () => {
  it('cuts at four characters per token', () => {
    expect(truncateToTokens('abcdefghij', 2)).toEqual({ text: 'abcdefgh', truncated: true });
    expect(truncateToTokens('abc', 2)).toEqual({ text: 'abc', truncated: false });
    expect(truncateToTokens('abc', undefined)).toEqual({ text: 'abc', truncated: false });
  });
});

describe(chunkText.name, () => {
  it('groups words and joins back to the original text', () => {
    const text = '  echo: one two  three';

    const sut = chunkText(text, 2);

    expect(sut.join('')).toBe(text);
    expect(chunkText('echo: one two', 1)).toEqual(['echo: ', 'one ', 'two']);
    expect(chunkText('', 1)).toEqual([]);
  });
});

describe(embeddingVector.name, () => {
  it('follows v[i] = round(((h + i) % 2000) / 1000 - 1, 6)', () => {
    const h = parseInt(sha1Hex('hello').slice(0, 8), 16);

    const sut = embeddingVector('hello', 3);

    expect(sut).toEqual([0, 1, 2].map((i) => Number((((h + i) % 2000) / 1000 - 1).toFixed(6))));
    sut.forEach((value) => expect(value).toBeGreaterThanOrEqual(-1));
  });

  it('round-trips through the base64 float32 encoding', () => {
    const vector = embeddingVector('hello', 8);

    const sut = decodeEmbeddingBase64(encodeEmbeddingBase64(vector));

    sut.forEach((value, i) => expect(value).toBeCloseTo(vector[i] ?? NaN, 6));
  });
});

describe('ONE_PIXEL_PNG_BASE64', () => {
  it('is a 1x1 PNG', () => {
    const sut = Buffer.from(ONE_PIXEL_PNG_BASE64, 'base64');

    expect(sut.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect(sut.toString('ascii', 12, 16)).toBe('IHDR');
    expect(sut.readUInt32BE(16)).toBe(1);
    expect(sut.readUInt32BE(20)).toBe(1);
  });
});

describe(wavBytes.name, () => {
  it('writes a 44-byte RIFF header and zero samples', () => {
    const sut = wavBytes(100);

    expect(sut).toHaveLength(44 + 200);
    expect(sut.toString('ascii', 0, 4)).toBe('RIFF');
    expect(sut.readUInt32LE(4)).toBe(36 + 200);
    expect(sut.toString('ascii', 8, 16)).toBe('WAVEfmt ');
    expect(sut.readUInt16LE(34)).toBe(16);
    expect(sut.toString('ascii', 36, 40)).toBe('data');
    expect(sut.readUInt32LE(40)).toBe(200);
    expect(sut.subarray(44).every((byte) => byte === 0)).toBe(true);
  });

  it('reports its duration', () => {
    expect(wavDurationSeconds(wavBytes(24000))).toBe(1);
    expect(wavDurationSeconds(Buffer.from('not audio'))).toBe(0);
  });
});

describe(speechBytes.name, () => {
  it('sends raw samples for pcm and a WAV file otherwise', () => {
    expect(speechBytes('pcm', 10)).toHaveLength(20);
    expect(speechBytes('mp3', 10).toString('ascii', 0, 4)).toBe('RIFF');
  });
});
