import { DataSource } from 'typeorm';
import type { HttpClient } from './http';
import { waitFor } from './proxy';
import type { TestApp } from './test-app';

/** A usage record as the proxy wrote it, with the columns the audio, Responses and search tests check. */
export interface UsageRow {
  deployment: string;
  route: string;
  status: number;
  error_code: string | null;
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  streamed: boolean;
  estimated: boolean;
  attempts: number;
}

async function rows(t: TestApp, eventId: string): Promise<UsageRow[]> {
  const found = (await t.app.get(DataSource).query(
    `SELECT deployment, route, status, error_code, prompt_tokens, completion_tokens, total_tokens, streamed, estimated, attempts
       FROM usage_records WHERE event_id = $1 ORDER BY id`,
    [eventId],
  )) as UsageRow[];
  return found.map((r) => ({
    ...r,
    status: Number(r.status),
    prompt_tokens: Number(r.prompt_tokens),
    completion_tokens: Number(r.completion_tokens),
    total_tokens: Number(r.total_tokens),
    attempts: Number(r.attempts),
  }));
}

/** Waits until the event has `count` usage records (the usage report flushes the write buffer) and returns them. */
export async function usageRecords(t: TestApp, http: HttpClient, eventId: string, count: number): Promise<UsageRow[]> {
  return waitFor(async () => {
    await http.get(`/api/v1/admin/events/${eventId}/usage`);
    const found = await rows(t, eventId);
    return found.length >= count && found;
  }, `${count} usage records`);
}
