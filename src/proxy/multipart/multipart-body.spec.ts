import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openPlannedBody, planModelRewrite } from './multipart-body';
import { MultipartScanner } from './multipart-scanner';

const B = 'XyZ';

function form(fields: [string, string, string?][]): Buffer {
  const text = fields.map(([name, value, filename]) => `--${B}\r\nContent-Disposition: form-data; name="${name}"${filename ? `; filename="${filename}"` : ''}\r\n\r\n${value}\r\n`).join('');
  return Buffer.from(`${text}--${B}--\r\n`);
}

/** Applies a plan to an in-memory body, as the streamed version does to the spooled file. */
function apply(input: Buffer, model: string | null): string {
  const scanner = new MultipartScanner(B);
  scanner.push(input);
  const plan = planModelRewrite(scanner.end(), model);
  const out = Buffer.concat(plan.segments.map((s) => ('bytes' in s ? s.bytes : input.subarray(s.file[0], s.file[1]))));
  expect(out.length).toBe(plan.length);
  return out.toString();
}

describe(planModelRewrite.name, () => {
  const withModel = form([['file', 'AUDIO', 'a.wav'], ['model', 'alias'], ['language', 'en']]);

  it('replaces the model value and leaves every other byte alone', () => {
    expect(apply(withModel, 'whisper-1')).toBe(form([['file', 'AUDIO', 'a.wav'], ['model', 'whisper-1'], ['language', 'en']]).toString());
  });

  it('removes the model part (and duplicates) when the upstream takes the deployment from the path', () => {
    expect(apply(withModel, null)).toBe(form([['file', 'AUDIO', 'a.wav'], ['language', 'en']]).toString());
    const twice = form([['model', 'a'], ['file', 'AUDIO', 'a.wav'], ['model', 'b']]);
    expect(apply(twice, null)).toBe(form([['file', 'AUDIO', 'a.wav']]).toString());
    expect(apply(twice, 'm')).toBe(form([['model', 'm'], ['file', 'AUDIO', 'a.wav']]).toString());
  });

  it('adds a model part when the client sent none', () => {
    const without = form([['file', 'AUDIO', 'a.wav']]);
    expect(apply(without, 'whisper-1')).toBe(form([['model', 'whisper-1'], ['file', 'AUDIO', 'a.wav']]).toString());
    expect(apply(without, null)).toBe(without.toString());
  });

  it('keeps a file part named "model" (only text fields are the model)', () => {
    const odd = form([['model', 'BYTES', 'model.bin']]);
    expect(apply(odd, 'x')).toBe(form([['model', 'x'], ['model', 'BYTES', 'model.bin']]).toString());
  });
});

describe(openPlannedBody.name, () => {
  it('streams the planned body from the file, again for every attempt', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aip-body-spec-'));
    try {
      const big = Buffer.alloc(200_000, 'a');
      const input = Buffer.concat([Buffer.from(`--${B}\r\nContent-Disposition: form-data; name="file"; filename="f"\r\n\r\n`), big, Buffer.from(`\r\n--${B}\r\nContent-Disposition: form-data; name="model"\r\n\r\nalias\r\n--${B}--\r\n`)]);
      const path = join(dir, 'upload');
      writeFileSync(path, input);
      const scanner = new MultipartScanner(B);
      scanner.push(input);
      const plan = planModelRewrite(scanner.end(), 'real');
      for (let attempt = 0; attempt < 2; attempt++) {
        const chunks: Buffer[] = [];
        for await (const c of openPlannedBody(path, plan)) chunks.push(c as Buffer);
        const out = Buffer.concat(chunks);
        expect(out.length).toBe(plan.length);
        expect(out.toString()).toBe(input.toString().replace('alias', 'real'));
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
