import { ApiBody, ApiBodyOptions, ApiConsumes, ApiOperation, ApiResponse } from '@nestjs/swagger';
import { RequireEventKey } from '../auth/decorators/auth.decorators';
import { OpenAiErrorSchema, toOpenApi } from '../common/validation/openapi';

const OPENAI_BODY: ApiBodyOptions = {
  schema: { type: 'object', additionalProperties: true, description: 'The OpenAI / Azure OpenAI request body; unknown fields pass through' },
};
const errors = (...statuses: number[]) =>
  statuses.map((status) => ApiResponse({ status, description: 'OpenAI-shaped error', schema: toOpenApi(OpenAiErrorSchema, 'output') }));

export interface RouteDoc {
  /** The request body; null for none (GET). */
  body?: ApiBodyOptions | null;
  /** Request content types, when not JSON. */
  consumes?: string;
  /** Success content types (binary), when not JSON / SSE. */
  produces?: string[];
  ok?: string;
  description?: string;
  /** Extra error statuses (e.g. 413 for uploads). */
  errors?: number[];
}

/** An attendee route of the proxy: admission by event key, and its OpenAPI documentation. */
export function ProxyRoute(summary: string, doc: RouteDoc = {}): MethodDecorator {
  return (target, key, descriptor) => {
    const decorators = [
      RequireEventKey(),
      ApiOperation({ summary, description: doc.description }),
      doc.produces
        ? ApiResponse({
            status: 200,
            description: doc.ok ?? 'The upstream answer',
            content: Object.fromEntries(doc.produces.map((type) => [type, { schema: { type: 'string', format: 'binary' } }])),
          })
        : ApiResponse({ status: 200, description: doc.ok ?? 'The upstream answer (JSON or text/event-stream)' }),
      ...errors(401, 404, 400, 429, 503, ...(doc.errors ?? [])),
    ];
    if (doc.body !== null) decorators.push(ApiBody(doc.body ?? OPENAI_BODY));
    if (doc.consumes) decorators.push(ApiConsumes(doc.consumes));
    for (const d of decorators) d(target, key, descriptor);
  };
}
