import { ONE_PIXEL_PNG_BASE64, imageUrl } from '../content';
import { errors, promptFilterCategories } from '../errors';
import { type OperationHandler, sendBody } from '../pipeline';
import { positiveInt } from '../prompt';

const safe = { filtered: false, severity: 'safe' } as const;

export const imagesHandler: OperationHandler = {
  // Azure meters image deployments by requests, so an image costs no tokens.
  estimateTokens: () => 0,

  promptText: (body) => (typeof body['prompt'] === 'string' ? body['prompt'] : ''),

  filterStyle: 'image',

  async handle(ctx) {
    const prompt = ctx.body['prompt'];
    if (typeof prompt !== 'string' || prompt === '') {
      throw errors.badRequest("Missing required parameter: 'prompt'.", 'prompt', 'missing_required_parameter');
    }
    const n = positiveInt(ctx.body['n']) ?? 1;
    const b64 = ctx.body['response_format'] === 'b64_json';
    const annotations = ctx.annotations
      ? {
          prompt_filter_results: { ...promptFilterCategories(), profanity: { detected: false, filtered: false } },
          content_filter_results: { hate: safe, self_harm: safe, sexual: safe, violence: safe },
        }
      : {};
    await sendBody(ctx, {
      created: ctx.created,
      data: Array.from({ length: n }, (_, index) => ({
        revised_prompt: prompt,
        ...(b64 ? { b64_json: ONE_PIXEL_PNG_BASE64 } : { url: imageUrl(prompt, index) }),
        ...annotations,
      })),
    });
  },
};
