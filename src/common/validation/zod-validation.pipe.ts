import { PipeTransform } from '@nestjs/common';
import { z } from 'zod';
import { DomainError } from '../errors/domain-error';
import { ErrorCode } from '../errors/error-codes';

export interface ValidationIssue {
  field: string;
  message: string;
}

export function describeIssues(error: z.ZodError): ValidationIssue[] {
  return error.issues.flatMap((issue) => {
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ field: [...issue.path, key].join('.'), message: 'unknown field' }));
    }
    return [{ field: issue.path.join('.') || '(body)', message: issue.message }];
  });
}

/** Validates one argument against a zod schema; the 400 names every bad field. */
export class ZodValidationPipe<S extends z.ZodType> implements PipeTransform<unknown, z.infer<S>> {
  constructor(
    private readonly schema: S,
    private readonly what = 'request body',
  ) {}

  transform(value: unknown): z.infer<S> {
    const result = this.schema.safeParse(value ?? (this.what === 'request body' ? undefined : {}));
    if (result.success) return result.data;
    const issues = describeIssues(result.error);
    const summary = issues.map((i) => `${i.field}: ${i.message}`).join('; ');
    throw new DomainError(ErrorCode.ValidationFailed, `Invalid ${this.what}: ${summary}`, {
      details: issues,
      param: issues[0]?.field,
    });
  }
}
