import type { ApiError } from './api';
import type { HttpResult } from './http';

/**
 * Asserts an admin-shaped error: the status, the code, a message, and a requestId that matches the
 * x-request-id header. Returns the body for further checks (e.g. which field `details` names).
 */
export function expectAdminError(res: HttpResult, status: number, code: string): ApiError {
  expect({ status: res.status, body: res.body }).toMatchObject({ status, body: { code } });
  const body = res.body as ApiError;
  const requestId = res.headers.get('x-request-id');
  expect(requestId).toBeTruthy();
  expect(body).toEqual(expect.objectContaining({ code, message: expect.any(String), requestId }));
  expect(body.message.length).toBeGreaterThan(0);
  expect(Object.keys(body).filter((k) => !['code', 'message', 'requestId', 'details'].includes(k))).toEqual([]);
  return body;
}

/** Asserts a 400 whose message and details name `field`. */
export function expectFieldError(res: HttpResult, field: string): ApiError {
  const body = expectAdminError(res, 400, 'validation_failed');
  expect(body.message).toContain(field);
  expect(body.details?.map((d) => d.field)).toContain(field);
  return body;
}
