import { applyDecorators } from '@nestjs/common';
import { ApiBody, ApiQuery, ApiResponse } from '@nestjs/swagger';
import type { ApiBodyOptions } from '@nestjs/swagger';

type SchemaObject = NonNullable<Extract<ApiBodyOptions, { schema?: unknown }>['schema']>;
import { z } from 'zod';

/** zod is the single source of truth: Swagger schemas are generated from the same schema that validates. */
export function toOpenApi(schema: z.ZodType, io: 'input' | 'output' = 'input'): SchemaObject {
  const json = z.toJSONSchema(schema, { target: 'openapi-3.0', io, unrepresentable: 'any' }) as Record<string, unknown>;
  delete json.$schema;
  return json as SchemaObject;
}

export const ApiZodBody = (schema: z.ZodType, description?: string) =>
  ApiBody({ schema: toOpenApi(schema), description });

export const ApiZodResponse = (status: number, schema: z.ZodType, description: string) =>
  ApiResponse({ status, description, schema: toOpenApi(schema, 'output') });

/** Documents each key of a zod object as a query parameter. */
export function ApiZodQuery(schema: z.ZodObject): MethodDecorator {
  const decorators = Object.entries(schema.shape).map(([name, field]) =>
    ApiQuery({ name, required: !(field as z.ZodType).safeParse(undefined).success, schema: toOpenApi(field as z.ZodType) }),
  );
  return applyDecorators(...decorators);
}

export const ErrorBodySchema = z
  .object({
    code: z.string(),
    message: z.string(),
    requestId: z.string(),
    details: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
  })
;

export const OpenAiErrorSchema = z
  .object({
    error: z.object({
      message: z.string(),
      type: z.string(),
      code: z.string().nullable(),
      param: z.string().nullable(),
      status: z.int().describe('The HTTP status, repeated in the body'),
    }),
  })
;

/** The standard error responses of an admin route. */
export function ApiAdminErrors(...statuses: number[]): MethodDecorator & ClassDecorator {
  const text: Record<number, string> = {
    400: 'Invalid input; `details` names each bad field',
    401: 'Missing or wrong admin token',
    403: 'Not allowed',
    404: 'Unknown id',
    409: 'Already exists',
    413: 'Body too large',
    429: 'Too many attempts; retry-after says when to try again',
  };
  return applyDecorators(...statuses.map((s) => ApiResponse({ status: s, description: text[s] ?? 'Error', schema: toOpenApi(ErrorBodySchema, 'output') })));
}
