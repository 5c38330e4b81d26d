import { z } from 'zod';

export const AuthInfoSchema = z.object({
  /** How the portal should ask for credentials. */
  entra: z.object({ enabled: z.boolean(), signIn: z.boolean() }),
});

export const MeResponseSchema = z.object({
  method: z.enum(['admin-token', 'entra-token', 'entra-session']),
  role: z.enum(['administrator', 'organiser']),
  organiser: z.object({ id: z.uuid(), email: z.string(), name: z.string() }).nullable(),
});

export const AddCoOrganiserSchema = z.object({ email: z.email().max(320) }).strict();
export type AddCoOrganiserInput = z.infer<typeof AddCoOrganiserSchema>;

export const CoOrganiserSchema = z.object({
  id: z.uuid(),
  email: z.string(),
  name: z.string(),
  signedIn: z.boolean().describe('False until the person has signed in once'),
});

export const LoginQuerySchema = z.object({ returnTo: z.string().max(2048).optional() });
export const CallbackQuerySchema = z.object({
  code: z.string().max(8192).optional(),
  state: z.string().max(512).optional(),
  error: z.string().max(256).optional(),
  error_description: z.string().max(2048).optional(),
});
export type CallbackQuery = z.infer<typeof CallbackQuerySchema>;
