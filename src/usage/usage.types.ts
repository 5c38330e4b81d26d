/** One proxied request, as the meter records it. */
export interface UsageEntry {
  requestId: string | null;
  eventId: string;
  attendeeId: string | null;
  resourceId: string | null;
  deployment: string;
  route: string;
  status: number;
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
  estimated: boolean;
  streamed: boolean;
  latencyMs: number;
  ttfbMs: number | null;
  attempts: number;
  errorCode: string | null;
  /** Day in the event's time zone. */
  day: string;
  createdAt: Date;
  /** Whether the request used up one of the attendee's daily requests. */
  counted: boolean;
}
