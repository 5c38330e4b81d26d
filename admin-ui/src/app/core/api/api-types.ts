import type { paths } from './schema';

/** Helpers that read request and response types out of the generated OpenAPI `paths`. */
export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';
export type ApiPath = keyof paths;

type OpOf<P extends ApiPath, M extends Method> = NonNullable<paths[P][M]>;

/** The paths that have an operation for method M. */
export type PathsFor<M extends Method> = { [P in ApiPath]: [OpOf<P, M>] extends [never] ? never : P }[ApiPath];

type ParamsOf<O> = O extends { parameters: infer X } ? X : never;
export type PathParams<P extends ApiPath, M extends Method> = ParamsOf<OpOf<P, M>> extends { path: infer X } ? X : never;
export type QueryParams<P extends ApiPath, M extends Method> =
  ParamsOf<OpOf<P, M>> extends { query?: infer Q } ? NonNullable<Q> : never;
export type RequestBody<P extends ApiPath, M extends Method> =
  OpOf<P, M> extends { requestBody?: infer B } ? (NonNullable<B> extends { content: { 'application/json': infer J } } ? J : never) : never;

type Json<R> = R extends { content: { 'application/json': infer J } } ? J : void;
export type ResponseBody<P extends ApiPath, M extends Method> =
  OpOf<P, M> extends { responses: infer R } ? (200 extends keyof R ? Json<R[200]> : 201 extends keyof R ? Json<R[201]> : void) : never;

// Named shapes the pages use, all derived from the document (nothing hand-typed).
export type EventResponse = ResponseBody<'/api/v1/admin/events/{eventId}', 'get'>;
export type EventList = ResponseBody<'/api/v1/admin/events', 'get'>;
export type CreateEventBody = RequestBody<'/api/v1/admin/events', 'post'>;
export type UpdateEventBody = RequestBody<'/api/v1/admin/events/{eventId}', 'patch'>;
export type ResourceResponse = ResponseBody<'/api/v1/admin/resources/{id}', 'get'>;
export type ResourceList = ResponseBody<'/api/v1/admin/resources', 'get'>;
export type CreateResourceBody = RequestBody<'/api/v1/admin/resources', 'post'>;
export type UpdateResourceBody = RequestBody<'/api/v1/admin/resources/{id}', 'patch'>;
export type ModelClass = ResourceResponse['modelClass'];
export type UpstreamKind = ResourceResponse['upstream'];
export type AttendeePage = ResponseBody<'/api/v1/admin/events/{eventId}/attendees', 'get'>;
export type AttendeeResponse = AttendeePage['items'][number];
export type RotatedKey = ResponseBody<'/api/v1/admin/events/{eventId}/attendees/{attendeeId}/rotate', 'post'>;
export type UsageReport = ResponseBody<'/api/v1/admin/events/{eventId}/usage', 'get'>;
export type UsageTotals = UsageReport['totals'];
export type PublicEvent = ResponseBody<'/api/v1/events/{eventId}', 'get'>;
export type RegisterBody = RequestBody<'/api/v1/events/{eventId}/attendees', 'post'>;
export type Registration = ResponseBody<'/api/v1/events/{eventId}/attendees', 'post'>;
export type EventInfo = ResponseBody<'/api/v1/eventinfo', 'get'>;
export type SelfStatus = ResponseBody<'/api/v1/attendee/event/{eventId}', 'get'>;
export type EventStatus = EventResponse['status'];
export type ConnectionTest = ResponseBody<'/api/v1/admin/resources/{id}/test', 'post'>;
export type DeploymentsHealth = ResponseBody<'/api/v1/admin/events/{eventId}/deployments/health', 'get'>;
export type DeploymentHealth = DeploymentsHealth['items'][number];
export type UsageHour = UsageReport['byHour'][number];
export type UsageToday = UsageReport['today'];
