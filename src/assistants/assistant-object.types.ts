/** Objects owned by the attendee whose key created them; messages, run steps and runs' reads go by their thread. */
export type OwnedKind = 'assistant' | 'thread' | 'file' | 'vector_store' | 'run';

export interface OwnedObject {
  objectId: string;
  kind: OwnedKind;
  eventId: string;
  attendeeId: string;
  resourceId: string | null;
}
