import { embeddingVector } from '../content';
import { errors } from '../errors';
import { type OperationHandler, sendBody } from '../pipeline';
import { isObject, positiveInt } from '../prompt';

/** Images are charged a flat count each, text beside them by length (the simulator's token rule). */
const IMAGE_TOKENS = 85;

interface ImageInput {
  key: string;
  tokens: number;
}

/** Azure AI Inference image embeddings: `input` is a list of `{image: "data:…" | url, text?}`. */
function imageInputs(input: unknown): ImageInput[] | undefined {
  if (!Array.isArray(input) || input.length === 0) return undefined;
  const out: ImageInput[] = [];
  for (const item of input) {
    if (!isObject(item) || typeof item['image'] !== 'string' || item['image'] === '') return undefined;
    const text = typeof item['text'] === 'string' ? item['text'] : '';
    out.push({ key: `${item['image']}\n${text}`, tokens: IMAGE_TOKENS + Math.ceil(text.length / 4) });
  }
  return out;
}

export const imageEmbeddingsHandler: OperationHandler = {
  estimateTokens: (body) => (imageInputs(body['input']) ?? []).reduce((sum, item) => sum + item.tokens, 0),

  async handle(ctx) {
    const inputs = imageInputs(ctx.body['input']);
    if (!inputs) throw errors.badRequest("'input' must be a non-empty array of objects with an 'image' (data URL or URL).", 'input');
    const dimensions = positiveInt(ctx.body['dimensions']) ?? ctx.config.embeddingDimensions;
    const tokens = inputs.reduce((sum, item) => sum + item.tokens, 0);
    await sendBody(ctx, {
      object: 'list',
      data: inputs.map((item, index) => ({ object: 'embedding', index, embedding: embeddingVector(item.key, dimensions) })),
      model: ctx.model,
      usage: { prompt_tokens: tokens, total_tokens: tokens },
    });
  },
};
