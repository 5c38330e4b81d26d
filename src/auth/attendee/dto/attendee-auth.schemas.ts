import { z } from 'zod';

export const SignInQuerySchema = z.strictObject({
  event: z.string().min(1).max(64).describe('The event to sign in for; the browser returns to its registration page'),
});
export type SignInQuery = z.infer<typeof SignInQuerySchema>;

/** What the provider sends back; unknown parameters (GitHub adds some) are ignored. */
export const CallbackQuerySchema = z.object({
  code: z.string().max(2048).optional(),
  state: z.string().max(512).optional(),
  error: z.string().max(256).optional(),
  error_description: z.string().max(2048).optional(),
});

export const AttendeeSessionSchema = z.object({
  provider: z.string().describe('The identity provider, e.g. github'),
  login: z.string(),
  name: z.string(),
  email: z.string().describe("The provider's verified primary email"),
});
export type AttendeeSessionResponse = z.infer<typeof AttendeeSessionSchema>;
