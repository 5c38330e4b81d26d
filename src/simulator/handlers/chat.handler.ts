import { type ResponseMeta, chatCompletion, chatStream, filterChatPlan, planChat } from '../chat';
import { completionId, countTokens } from '../content';
import { errors } from '../errors';
import { type OperationContext, type OperationHandler, sendBody, sendStream } from '../pipeline';
import { type JsonObject, chatPromptTexts, isObject, positiveInt } from '../prompt';

export function includeUsage(body: JsonObject): boolean {
  const options = body['stream_options'];
  return isObject(options) && options['include_usage'] === true;
}

export function responseMeta(ctx: OperationContext, prefix: string): ResponseMeta {
  return {
    id: completionId(prefix, ctx.body),
    created: ctx.created,
    model: ctx.model,
    annotations: ctx.annotations,
    chunkWords: ctx.config.chunkWords,
  };
}

export const chatHandler: OperationHandler = {
  estimateTokens: (body) =>
    countTokens(chatPromptTexts(body['messages'])) + (positiveInt(body['max_completion_tokens']) ?? positiveInt(body['max_tokens']) ?? 16),

  promptText: (body) => chatPromptTexts(body['messages']).join('\n'),

  async handle(ctx) {
    if (!Array.isArray(ctx.body['messages'])) {
      throw errors.badRequest("Missing required parameter: 'messages'.", 'messages', 'missing_required_parameter');
    }
    const meta = responseMeta(ctx, 'chatcmpl-');
    const plan = planChat(ctx.body, meta.id, { replyText: ctx.config.replyText, toolCallTrigger: ctx.config.toolCallTrigger });
    if (ctx.stream) {
      await sendStream(ctx, chatStream(plan, meta, includeUsage(ctx.body)));
      return;
    }
    const after = ctx.faults.filterStreamAfter;
    await sendBody(ctx, chatCompletion(after === undefined ? plan : filterChatPlan(plan, meta.chunkWords, after), meta));
  },
};
