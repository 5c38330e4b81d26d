import { z } from 'zod';

export const UsageQuerySchema = z
  .strictObject({
    from: z.iso.datetime({ offset: true }).optional().describe('Inclusive start (ISO 8601)'),
    to: z.iso.datetime({ offset: true }).optional().describe('Exclusive end (ISO 8601)'),
  })
  .refine((q) => !q.from || !q.to || Date.parse(q.to) > Date.parse(q.from), { message: 'to must be after from', path: ['to'] });
export type UsageQuery = z.infer<typeof UsageQuerySchema>;

const Totals = z.object({
  requests: z.int(),
  errors: z.int().describe('Requests that failed: status >= 400, including streams that broke after they began (recorded as 502)'),
  promptTokens: z.int(),
  completionTokens: z.int(),
  totalTokens: z.int(),
  estimatedRequests: z.int().describe('Requests whose tokens were estimated (stream broke, no usage reported)'),
});

export const UsageReportSchema = z.object({
  eventId: z.string(),
  from: z.string().nullable(),
  to: z.string().nullable(),
  totals: Totals,
  byDay: z.array(Totals.extend({ day: z.string() })),
  byDeployment: z.array(Totals.extend({ deployment: z.string() })),
  byAttendee: z.array(Totals.extend({ attendeeId: z.string().nullable(), name: z.string().nullable(), email: z.string().nullable() })),
});
export type UsageReport = z.infer<typeof UsageReportSchema>;
