import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { ApiAdminErrors, ApiZodBody, ApiZodQuery, ApiZodResponse } from '../../common/validation/openapi';
import { ZodValidationPipe } from '../../common/validation/zod-validation.pipe';
import { AdminOnly, CurrentPrincipal, Public } from '../decorators/auth.decorators';
import type { Principal } from '../principal';
import { AccessScope, CurrentScope } from './access-scope';
import {
  AddCoOrganiserInput,
  AddCoOrganiserSchema,
  AuthInfoSchema,
  CallbackQuery,
  CallbackQuerySchema,
  CoOrganiserSchema,
  LoginQuerySchema,
  MeResponseSchema,
} from './dto/organiser.schemas';
import { OrganiserSignInService } from './organiser-sign-in.service';
import { OrganisersService } from './organisers.service';

@ApiTags('Sign-in')
@Controller('api/v1/auth')
export class OrganiserAuthController {
  constructor(private readonly signIn: OrganiserSignInService) {}

  @Get('info')
  @Public()
  @ApiOperation({ summary: 'Which sign-in methods this server offers (for the portal)' })
  @ApiZodResponse(200, AuthInfoSchema, 'Sign-in methods')
  info() {
    return this.signIn.info();
  }

  @Get('login')
  @Public()
  @ApiOperation({ summary: 'Start signing in with Microsoft Entra ID (redirects to Microsoft)' })
  @ApiZodQuery(LoginQuerySchema)
  @ApiResponse({ status: 302, description: 'To the Microsoft sign-in page' })
  @ApiAdminErrors(404, 503)
  async login(@Query(new ZodValidationPipe(LoginQuerySchema, 'query')) query: z.infer<typeof LoginQuerySchema>, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    await reply.redirect(await this.signIn.begin(request, reply, query.returnTo), 302);
  }

  @Get('callback')
  @Public()
  @ApiOperation({ summary: 'Where Microsoft sends the browser back; sets the session cookie' })
  @ApiZodQuery(CallbackQuerySchema)
  @ApiResponse({ status: 302, description: 'Back to the portal, signed in (or with ?signInError=...)' })
  async callback(@Query(new ZodValidationPipe(CallbackQuerySchema, 'query')) query: CallbackQuery, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    await reply.redirect(await this.signIn.complete(request, reply, query), 302);
  }

  @Post('logout')
  @Public()
  @HttpCode(204)
  @ApiOperation({ summary: 'Sign out: forget the session cookie' })
  logout(@Res({ passthrough: true }) reply: FastifyReply): void {
    this.signIn.signOut(reply);
  }

  @Get('me')
  @AdminOnly()
  @ApiOperation({ summary: 'Who is calling, and with which role' })
  @ApiZodResponse(200, MeResponseSchema, 'The caller')
  @ApiAdminErrors(401)
  me(@CurrentPrincipal() principal: Principal | undefined) {
    return this.signIn.me(principal);
  }
}

@ApiTags('Admin: events')
@AdminOnly()
@ApiAdminErrors(401)
@Controller('api/v1/admin/events/:eventId/organisers')
export class CoOrganisersController {
  constructor(private readonly organisers: OrganisersService) {}

  @Get()
  @ApiOperation({ summary: "List an event's co-organisers" })
  @ApiZodResponse(200, z.array(CoOrganiserSchema), 'Co-organisers')
  @ApiAdminErrors(404)
  list(@Param('eventId') eventId: string, @CurrentScope() scope: AccessScope) {
    return this.organisers.listCoOrganisers(eventId, scope);
  }

  @Post()
  @ApiOperation({ summary: 'Share an event with a co-organiser by email (idempotent); they see it once they sign in' })
  @ApiZodBody(AddCoOrganiserSchema)
  @ApiZodResponse(201, CoOrganiserSchema, 'The co-organiser')
  @ApiAdminErrors(400, 403, 404)
  add(@Param('eventId') eventId: string, @Body(new ZodValidationPipe(AddCoOrganiserSchema)) body: AddCoOrganiserInput, @CurrentScope() scope: AccessScope) {
    return this.organisers.addCoOrganiser(eventId, body.email, scope);
  }

  @Delete(':organiserId')
  @HttpCode(204)
  @ApiOperation({ summary: 'Stop sharing an event with a co-organiser' })
  @ApiAdminErrors(403, 404)
  async remove(@Param('eventId') eventId: string, @Param('organiserId') organiserId: string, @CurrentScope() scope: AccessScope): Promise<void> {
    await this.organisers.removeCoOrganiser(eventId, organiserId, scope);
  }
}
