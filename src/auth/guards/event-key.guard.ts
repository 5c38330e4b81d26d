import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { AdmissionOptions, AdmissionService } from '../admission.service';
import { extractApiKey } from '../key-extraction';

export const EVENT_KEY_OPTIONS_KEY = 'auth:event-key';

@Injectable()
export class EventKeyGuard implements CanActivate {
  constructor(
    private readonly admission: AdmissionService,
    private readonly reflector: Reflector,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const options = this.reflector.get<AdmissionOptions | undefined>(EVENT_KEY_OPTIONS_KEY, context.getHandler()) ?? {};
    request.principal = await this.admission.admit(extractApiKey(request.headers), new Date(), { ...options, clientIp: request.ip });
    return true;
  }
}
