import { embeddingVector, encodeEmbeddingBase64 } from '../content';
import { errors } from '../errors';
import { type OperationHandler, sendBody } from '../pipeline';
import { embeddingInputs, positiveInt } from '../prompt';

export const embeddingsHandler: OperationHandler = {
  estimateTokens: (body) => (embeddingInputs(body['input']) ?? []).reduce((sum, item) => sum + item.tokens, 0),

  async handle(ctx) {
    const inputs = embeddingInputs(ctx.body['input']);
    if (!inputs) {
      throw errors.badRequest("'input' must be a non-empty string, array of strings, or array of token arrays.", 'input');
    }
    const dimensions = positiveInt(ctx.body['dimensions']) ?? ctx.config.embeddingDimensions;
    const base64 = ctx.body['encoding_format'] === 'base64';
    const tokens = inputs.reduce((sum, item) => sum + item.tokens, 0);
    await sendBody(ctx, {
      object: 'list',
      data: inputs.map((item, index) => {
        const vector = embeddingVector(item.key, dimensions);
        return { object: 'embedding', index, embedding: base64 ? encodeEmbeddingBase64(vector) : vector };
      }),
      model: ctx.model,
      usage: { prompt_tokens: tokens, total_tokens: tokens },
    });
  },
};
