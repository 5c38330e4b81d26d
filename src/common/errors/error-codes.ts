import { HttpStatus } from '@nestjs/common';

/** Every error the product can answer with. The string is what clients see in `code`. */
export enum ErrorCode {
  // Generic request problems
  InvalidJson = 'invalid_json',
  ValidationFailed = 'validation_failed',
  PayloadTooLarge = 'payload_too_large',
  UnsupportedMediaType = 'unsupported_media_type',
  RouteNotFound = 'route_not_found',
  MethodNotAllowed = 'method_not_allowed',
  TooManyRequests = 'too_many_requests',
  Internal = 'internal_error',
  ServiceUnavailable = 'service_unavailable',
  // Admin authentication
  AdminUnauthorized = 'unauthorized',
  Forbidden = 'forbidden',
  NotConfigured = 'not_configured',
  OrganiserNotFound = 'organiser_not_found',
  // Control plane
  EventNotFound = 'event_not_found',
  EventAlreadyExists = 'event_already_exists',
  ResourceNotFound = 'resource_not_found',
  AttendeeNotFound = 'attendee_not_found',
  AttendeeRevoked = 'attendee_revoked',
  RegistrationCodeInvalid = 'registration_code_invalid',
  RegistrationClosed = 'registration_closed',
  AttendeeAlreadyRegistered = 'attendee_already_registered',
  RegistrationModeMismatch = 'registration_mode_mismatch',
  // Attendee sign-in (GitHub and other identity providers)
  AttendeeSignInRequired = 'attendee_sign_in_required',
  SignInFailed = 'sign_in_failed',
  SignInUnavailable = 'sign_in_unavailable',
  // Proxy admission
  InvalidApiKey = 'invalid_api_key',
  KeyRevoked = 'key_revoked',
  EventInactive = 'event_inactive',
  EventNotStarted = 'event_not_started',
  EventEnded = 'event_ended',
  DeploymentNotFound = 'DeploymentNotFound',
  DeploymentClassMismatch = 'deployment_class_mismatch',
  ModelRequired = 'model_required',
  DailyRequestCapExceeded = 'daily_request_cap_exceeded',
  TokenLimitExceeded = 'token_limit_exceeded',
  MaxTokensExceedsCap = 'max_tokens_exceeds_cap',
  // Assistants: an object the caller's key did not create (or that does not exist)
  AssistantObjectNotFound = 'object_not_found',
  // Realtime WebSocket sessions
  RealtimeSessionLimit = 'realtime_session_limit',
  UpgradeRequired = 'upgrade_required',
  // Upstream
  UpstreamUnavailable = 'upstream_unavailable',
  UpstreamRateLimited = 'upstream_rate_limited',
  UpstreamTimeout = 'upstream_timeout',
  UpstreamError = 'upstream_error',
  // Importing another product's database
  ImportSourceUnavailable = 'import_source_unavailable',
  ImportSourceUnsupported = 'import_source_unsupported',
  ImportDecryptionFailed = 'import_decryption_failed',
  ImportInProgress = 'import_in_progress',
}

/** Exhaustive: adding a code without a status is a compile error. */
export const ERROR_STATUS: Record<ErrorCode, HttpStatus> = {
  [ErrorCode.InvalidJson]: HttpStatus.BAD_REQUEST,
  [ErrorCode.ValidationFailed]: HttpStatus.BAD_REQUEST,
  [ErrorCode.PayloadTooLarge]: HttpStatus.PAYLOAD_TOO_LARGE,
  [ErrorCode.UnsupportedMediaType]: HttpStatus.UNSUPPORTED_MEDIA_TYPE,
  [ErrorCode.RouteNotFound]: HttpStatus.NOT_FOUND,
  [ErrorCode.MethodNotAllowed]: HttpStatus.METHOD_NOT_ALLOWED,
  [ErrorCode.TooManyRequests]: HttpStatus.TOO_MANY_REQUESTS,
  [ErrorCode.Internal]: HttpStatus.INTERNAL_SERVER_ERROR,
  [ErrorCode.ServiceUnavailable]: HttpStatus.SERVICE_UNAVAILABLE,
  [ErrorCode.AdminUnauthorized]: HttpStatus.UNAUTHORIZED,
  [ErrorCode.Forbidden]: HttpStatus.FORBIDDEN,
  // A feature this deployment has not set up (e.g. Entra ID sign-in) is, for callers, not there.
  [ErrorCode.NotConfigured]: HttpStatus.NOT_FOUND,
  [ErrorCode.OrganiserNotFound]: HttpStatus.NOT_FOUND,
  [ErrorCode.EventNotFound]: HttpStatus.NOT_FOUND,
  [ErrorCode.EventAlreadyExists]: HttpStatus.CONFLICT,
  [ErrorCode.ResourceNotFound]: HttpStatus.NOT_FOUND,
  [ErrorCode.AttendeeNotFound]: HttpStatus.NOT_FOUND,
  [ErrorCode.AttendeeRevoked]: HttpStatus.FORBIDDEN,
  [ErrorCode.RegistrationCodeInvalid]: HttpStatus.FORBIDDEN,
  [ErrorCode.RegistrationClosed]: HttpStatus.FORBIDDEN,
  [ErrorCode.AttendeeAlreadyRegistered]: HttpStatus.CONFLICT,
  [ErrorCode.RegistrationModeMismatch]: HttpStatus.FORBIDDEN,
  [ErrorCode.AttendeeSignInRequired]: HttpStatus.UNAUTHORIZED,
  [ErrorCode.SignInFailed]: HttpStatus.BAD_REQUEST,
  [ErrorCode.SignInUnavailable]: HttpStatus.SERVICE_UNAVAILABLE,
  [ErrorCode.InvalidApiKey]: HttpStatus.UNAUTHORIZED,
  [ErrorCode.KeyRevoked]: HttpStatus.UNAUTHORIZED,
  [ErrorCode.EventInactive]: HttpStatus.UNAUTHORIZED,
  [ErrorCode.EventNotStarted]: HttpStatus.UNAUTHORIZED,
  [ErrorCode.EventEnded]: HttpStatus.UNAUTHORIZED,
  [ErrorCode.DeploymentNotFound]: HttpStatus.NOT_FOUND,
  [ErrorCode.DeploymentClassMismatch]: HttpStatus.BAD_REQUEST,
  [ErrorCode.ModelRequired]: HttpStatus.BAD_REQUEST,
  [ErrorCode.DailyRequestCapExceeded]: HttpStatus.TOO_MANY_REQUESTS,
  [ErrorCode.TokenLimitExceeded]: HttpStatus.TOO_MANY_REQUESTS,
  [ErrorCode.MaxTokensExceedsCap]: HttpStatus.BAD_REQUEST,
  [ErrorCode.AssistantObjectNotFound]: HttpStatus.NOT_FOUND,
  [ErrorCode.RealtimeSessionLimit]: HttpStatus.TOO_MANY_REQUESTS,
  // Nest's HttpStatus enum lacks 426; a plain GET on a WebSocket endpoint is exactly that case.
  [ErrorCode.UpgradeRequired]: 426 as HttpStatus,
  [ErrorCode.UpstreamUnavailable]: HttpStatus.SERVICE_UNAVAILABLE,
  [ErrorCode.UpstreamRateLimited]: HttpStatus.TOO_MANY_REQUESTS,
  [ErrorCode.UpstreamTimeout]: HttpStatus.GATEWAY_TIMEOUT,
  [ErrorCode.UpstreamError]: HttpStatus.BAD_GATEWAY,
  [ErrorCode.ImportSourceUnavailable]: HttpStatus.BAD_GATEWAY,
  [ErrorCode.ImportSourceUnsupported]: HttpStatus.UNPROCESSABLE_ENTITY,
  [ErrorCode.ImportDecryptionFailed]: HttpStatus.UNPROCESSABLE_ENTITY,
  [ErrorCode.ImportInProgress]: HttpStatus.CONFLICT,
};

/** The OpenAI error `type` for each status class, as OpenAI's own API reports it. */
export function openAiErrorType(status: number): string {
  if (status === 401) return 'authentication_error';
  if (status === 403) return 'permission_error';
  if (status === 404) return 'not_found_error';
  if (status === 429) return 'rate_limit_error';
  if (status >= 500) return 'server_error';
  return 'invalid_request_error';
}
