import { applyDecorators, createParamDecorator, ExecutionContext, SetMetadata, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiSecurity } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import type { AdmissionOptions } from '../admission.service';
import { EVENT_KEY_OPTIONS_KEY, EventKeyGuard } from '../guards/event-key.guard';
import type { AttendeePrincipal, Principal } from '../principal';

export const IS_PUBLIC = 'auth:public';

/** Opts a route out of the global admin guard. */
export const Public = () => SetMetadata(IS_PUBLIC, true);

export const ADMINISTRATORS_ONLY = 'auth:administrators-only';

/** An admin route no organiser may use (it spans every event): ADMIN_TOKEN or the administrator role. */
export const AdministratorsOnly = () => SetMetadata(ADMINISTRATORS_ONLY, true);

/** An attendee route: admitted by event key (api-key header or Bearer), documented as such. */
export const RequireEventKey = (options: AdmissionOptions = {}) =>
  applyDecorators(
    SetMetadata(IS_PUBLIC, true),
    SetMetadata(EVENT_KEY_OPTIONS_KEY, options),
    UseGuards(EventKeyGuard),
    ApiSecurity('api-key'),
    ApiBearerAuth('attendee-key'),
  );

/** An admin route (the default); documents the bearer scheme. */
export const AdminOnly = () => ApiBearerAuth('admin-token');

export const CurrentPrincipal = createParamDecorator((_: unknown, ctx: ExecutionContext): Principal | undefined => {
  return ctx.switchToHttp().getRequest<FastifyRequest>().principal;
});

export const Attendee = createParamDecorator((_: unknown, ctx: ExecutionContext): AttendeePrincipal => {
  const principal = ctx.switchToHttp().getRequest<FastifyRequest>().principal;
  if (principal?.kind !== 'attendee') throw new Error('@Attendee() used on a route without @RequireEventKey()');
  return principal;
});
