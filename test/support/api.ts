/** Response shapes the tests read, taken from the product's own schemas so they cannot drift. */
export type { EventResponse } from '../../src/events/dto/event.schemas';
export type { ResourceResponse } from '../../src/resources/dto/resource.schemas';
export type { AttendeeResponse, RegistrationResponse } from '../../src/attendees/dto/attendee.schemas';
export type { EventInfo } from '../../src/attendees/dto/event-info.schemas';

export interface ApiError {
  code: string;
  message: string;
  requestId: string;
  details?: { field: string; message: string }[];
}

export interface OpenAiError {
  error: { message: string; type: string; code: string | null; param: string | null; status?: number };
}

export interface Page<T> {
  items: T[];
  total: number;
  page?: number;
  pageSize?: number;
}

export interface RotatedKey {
  attendeeId: string;
  apiKey: string;
  keyPrefix: string;
}
