import { completionBody, completionStream, filterCompletionPlan, planCompletion } from '../completions';
import { countTokens } from '../content';
import { errors } from '../errors';
import { type OperationHandler, sendBody, sendStream } from '../pipeline';
import { completionPrompts, positiveInt } from '../prompt';
import { includeUsage, responseMeta } from './chat.handler';

export const completionsHandler: OperationHandler = {
  estimateTokens: (body) => countTokens(completionPrompts(body['prompt'])) + (positiveInt(body['max_tokens']) ?? 16),

  promptText: (body) => completionPrompts(body['prompt']).join('\n'),

  async handle(ctx) {
    if (completionPrompts(ctx.body['prompt']).length === 0) {
      throw errors.badRequest("Missing required parameter: 'prompt'.", 'prompt', 'missing_required_parameter');
    }
    const meta = responseMeta(ctx, 'cmpl-');
    const plan = planCompletion(ctx.body, ctx.config.replyText);
    if (ctx.stream) {
      await sendStream(ctx, completionStream(plan, meta, includeUsage(ctx.body)));
      return;
    }
    const after = ctx.faults.filterStreamAfter;
    await sendBody(ctx, completionBody(after === undefined ? plan : filterCompletionPlan(plan, meta.chunkWords, after), meta));
  },
};
