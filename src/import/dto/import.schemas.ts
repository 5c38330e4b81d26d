import { z } from 'zod';

export const ImportAoaiSchema = z
  .object({
    connectionString: z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
      .max(2048)
      .describe('The Azure AI Proxy database, e.g. postgres://user:password@host:5432/aoai-proxy?sslmode=require'),
    encryptionKey: z.string().min(1).max(1024).describe('Its PostgresEncryptionKey, which decrypts resource endpoints and keys'),
    dryRun: z.boolean().default(false).describe('Report what would be imported and write nothing'),
  })
  .strict();
export type ImportAoaiInput = z.infer<typeof ImportAoaiSchema>;

const CountsSchema = z.object({
  created: z.int(),
  updated: z.int().describe('Imported before; the source row changed since, so it was updated here'),
  unchanged: z.int().describe('Imported before and unchanged in the source'),
  skipped: z.int().describe('Not importable; `warnings` says why'),
});
export type ImportCounts = z.infer<typeof CountsSchema>;

export const ImportSummarySchema = z.object({
  dryRun: z.boolean(),
  source: z.object({
    owners: z.int(),
    resources: z.int(),
    events: z.int(),
    attendees: z.int(),
    metrics: z.int().describe('Rows of aoai.metric (one per proxied request)'),
  }),
  organisers: CountsSchema,
  resources: CountsSchema,
  events: CountsSchema,
  eventResources: CountsSchema.describe('Links between events and resources'),
  coOrganisers: CountsSchema.describe("Owners who share an event they did not create (owner_event_map with creator false)"),
  attendees: CountsSchema,
  assistantObjects: CountsSchema.describe('Assistants, threads and files attendees created through the original: they stay theirs'),
  usage: z.object({
    imported: z.int().describe('Usage records written (metric rows)'),
    replaced: z.int().describe('Records of an earlier import removed because their day changed in the source'),
    unchanged: z.int(),
    skipped: z.int().describe("Metric rows of events that were not imported"),
  }),
  eventDetails: z.array(
    z.object({
      sourceId: z.string(),
      id: z.string().describe('The event id here: the source id unless another event already had it'),
      name: z.string(),
      timeZone: z.string(),
      timeZoneBasis: z.enum(['label', 'offset']).describe("label: the source's time-zone label named a zone (DST-aware); offset: only its fixed offset was usable"),
      startsAt: z.string(),
      endsAt: z.string(),
      status: z.enum(['created', 'updated', 'unchanged']),
    }),
  ),
  warnings: z.array(z.string()),
});
export type ImportSummary = z.infer<typeof ImportSummarySchema>;
