import type { FastifyRequest } from 'fastify';
import type { AppConfig } from '../../config/app-config';

/** The externally visible origin: PUBLIC_URL when set, else what the client used to reach us. */
export function baseUrlOf(request: FastifyRequest, config: AppConfig): string {
  if (config.http.publicUrl) return config.http.publicUrl;
  return `${request.protocol}://${request.host}`;
}
