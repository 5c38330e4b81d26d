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
  rateLimited: z.int().describe('Requests answered 429 (every backend rate limited, or the daily cap reached); also counted in errors'),
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
  byHour: z
    .array(Totals.extend({ hour: z.string().describe('Start of the hour in UTC, ISO 8601 (e.g. 2026-03-01T09:00:00Z)') }))
    .describe('Hours with requests, oldest first; hours are UTC (label them in the event time zone)'),
  byDeployment: z.array(Totals.extend({ deployment: z.string() })),
  byAttendee: z.array(Totals.extend({ attendeeId: z.string().nullable(), name: z.string().nullable(), email: z.string().nullable() })),
  series: z
    .object({
      byHourDeployment: z
        .array(z.object({ hour: z.string().describe('Start of the hour in UTC, ISO 8601'), deployment: z.string(), requests: z.int(), totalTokens: z.int() }))
        .describe('Requests and tokens per hour and deployment; only hours and deployments with requests, oldest hour first'),
      byHourAttendee: z
        .array(
          z.object({
            hour: z.string().describe('Start of the hour in UTC, ISO 8601'),
            attendeeId: z.string(),
            name: z.string().nullable(),
            requests: z.int(),
            totalTokens: z.int(),
          }),
        )
        .describe('Requests and tokens per hour for the top 10 attendees by tokens in the range; only hours with requests, oldest first'),
    })
    .describe('Use over time per deployment and per attendee (hours are UTC; label them in the event time zone)'),
  today: z
    .object({
      day: z.string().describe('Calendar day in the event time zone'),
      timeZone: z.string(),
      resetsAt: z.string().describe('Next midnight in the event time zone (UTC ISO 8601)'),
      dailyRequestCap: z.int(),
      byAttendee: z.array(
        z.object({
          attendeeId: z.string(),
          name: z.string(),
          email: z.string(),
          requests: z.int().describe('Requests counted against the daily cap today'),
          tokens: z.int(),
          remainingRequests: z.int(),
        }),
      ),
    })
    .describe("Today's use against the daily request cap per attendee (whatever from/to say); attendees with no use today are left out"),
});
export type UsageReport = z.infer<typeof UsageReportSchema>;
