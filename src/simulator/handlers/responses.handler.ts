import { completionId, countTokens } from '../content';
import { errors } from '../errors';
import { type OperationHandler, sendBody, sendStream } from '../pipeline';
import { positiveInt, responsesPromptTexts } from '../prompt';
import { type ResponseMetaInput, filterResponsePlan, planResponse, responseBody, responseStream } from '../responses';

export const responsesHandler: OperationHandler = {
  estimateTokens: (body) =>
    countTokens(responsesPromptTexts(body['input'], body['instructions'])) + (positiveInt(body['max_output_tokens']) ?? 16),

  promptText: (body) => responsesPromptTexts(body['input'], body['instructions']).join('\n'),

  async handle(ctx) {
    const input = ctx.body['input'];
    if (typeof input !== 'string' && !Array.isArray(input)) {
      throw errors.badRequest("Missing required parameter: 'input'.", 'input', 'missing_required_parameter');
    }
    const meta: ResponseMetaInput = {
      id: completionId('resp_', ctx.body, 40),
      created: ctx.created,
      model: ctx.model,
      chunkWords: ctx.config.chunkWords,
      body: ctx.body,
    };
    const plan = planResponse(ctx.body, ctx.config.replyText);
    if (ctx.stream) {
      await sendStream(ctx, responseStream(plan, meta));
      return;
    }
    const after = ctx.faults.filterStreamAfter;
    await sendBody(ctx, responseBody(after === undefined ? plan : filterResponsePlan(plan, meta.chunkWords, after), meta));
  },
};
