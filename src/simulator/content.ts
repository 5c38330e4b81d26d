import { createHash } from 'node:crypto';

/** Deterministic content generation: the same request always yields the same bytes. */

export function sha1Hex(text: string): string {
  return createHash('sha1').update(text).digest('hex');
}

/** Σ ceil(chars/4): a cheap, predictable stand-in for a tokenizer that tests can compute by hand. */
export function countTokens(texts: readonly string[]): number {
  return texts.reduce((sum, text) => sum + Math.ceil(text.length / 4), 0);
}

export function completionId(prefix: string, body: unknown, length = 29): string {
  return prefix + sha1Hex(JSON.stringify(body) ?? '').slice(0, length);
}

export function echoReply(lastUserText: string, replyText?: string): string {
  return replyText ?? `echo: ${lastUserText}`;
}

export interface TruncatedText {
  text: string;
  truncated: boolean;
}

/** max_tokens cuts the reply at 4 characters per token, as the token count assumes. */
export function truncateToTokens(text: string, maxTokens: number | undefined): TruncatedText {
  if (maxTokens === undefined || text.length <= maxTokens * 4) return { text, truncated: false };
  return { text: text.slice(0, maxTokens * 4), truncated: true };
}

/** Splits into words that keep their trailing whitespace, so joining the pieces gives the text back. */
export function splitWords(text: string): string[] {
  return text.match(/\S+\s*|\s+/g) ?? [];
}

/** Groups words into stream pieces of `wordsPerChunk` words. */
export function chunkText(text: string, wordsPerChunk: number): string[] {
  const words = splitWords(text);
  const chunks: string[] = [];
  for (let i = 0; i < words.length; i += wordsPerChunk) chunks.push(words.slice(i, i + wordsPerChunk).join(''));
  return chunks;
}

/** v[i] = round(((h(input)+i) % 2000)/1000 - 1, 6) with h = the first 8 hex digits of sha1. */
export function embeddingVector(input: string, dimensions: number): number[] {
  const h = parseInt(sha1Hex(input).slice(0, 8), 16);
  return Array.from({ length: dimensions }, (_, i) => Number(((((h + i) % 2000) / 1000) - 1).toFixed(6)));
}

/** OpenAI's base64 embedding encoding: little-endian float32. */
export function encodeEmbeddingBase64(vector: readonly number[]): string {
  const buffer = Buffer.alloc(vector.length * 4);
  vector.forEach((value, i) => buffer.writeFloatLE(value, i * 4));
  return buffer.toString('base64');
}

export function decodeEmbeddingBase64(encoded: string): number[] {
  const buffer = Buffer.from(encoded, 'base64');
  return Array.from({ length: buffer.length / 4 }, (_, i) => buffer.readFloatLE(i * 4));
}

/** A valid 1x1 transparent PNG, so clients that decode b64_json get a real image. */
export const ONE_PIXEL_PNG_BASE64 =
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';

export function imageUrl(prompt: string, index: number): string {
  return `https://mock.blob/img/${sha1Hex(`${index}:${prompt}`)}.png`;
}

export const SPEECH_SAMPLE_RATE = 24000;

/** Mono 16-bit PCM WAV: the canonical 44-byte RIFF header followed by `samples` zero samples. */
export function wavBytes(samples: number, sampleRate = SPEECH_SAMPLE_RATE): Buffer {
  const dataSize = samples * 2;
  const buffer = Buffer.alloc(44 + dataSize);
  buffer.write('RIFF', 0, 'ascii');
  buffer.writeUInt32LE(36 + dataSize, 4);
  buffer.write('WAVE', 8, 'ascii');
  buffer.write('fmt ', 12, 'ascii');
  buffer.writeUInt32LE(16, 16);
  buffer.writeUInt16LE(1, 20); // PCM
  buffer.writeUInt16LE(1, 22); // mono
  buffer.writeUInt32LE(sampleRate, 24);
  buffer.writeUInt32LE(sampleRate * 2, 28); // byte rate
  buffer.writeUInt16LE(2, 32); // block align
  buffer.writeUInt16LE(16, 34); // bits per sample
  buffer.write('data', 36, 'ascii');
  buffer.writeUInt32LE(dataSize, 40);
  return buffer;
}

/** Duration in seconds of a canonical PCM WAV; 0 for anything else (the simulator never decodes audio). */
export function wavDurationSeconds(bytes: Buffer): number {
  if (bytes.length < 44 || bytes.toString('ascii', 0, 4) !== 'RIFF' || bytes.toString('ascii', 8, 12) !== 'WAVE') {
    return 0;
  }
  const byteRate = bytes.readUInt32LE(28);
  return byteRate > 0 ? (bytes.length - 44) / byteRate : 0;
}

export const SPEECH_CONTENT_TYPES: Readonly<Record<string, string>> = {
  wav: 'audio/wav',
  mp3: 'audio/mpeg',
  opus: 'audio/ogg',
  aac: 'audio/aac',
  flac: 'audio/flac',
  pcm: 'audio/pcm',
};

/** The simulator cannot encode mp3 and friends, so every format carries WAV bytes except raw pcm. */
export function speechBytes(format: string, samples: number): Buffer {
  const wav = wavBytes(samples);
  return format === 'pcm' ? wav.subarray(44) : wav;
}
