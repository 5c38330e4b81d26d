import { Controller, Get, HttpCode, Param, Post, Query, Req, Res, UseGuards } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { baseUrlOf } from '../../common/http/base-url';
import { ApiAdminErrors, ApiZodQuery, ApiZodResponse } from '../../common/validation/openapi';
import { ZodValidationPipe } from '../../common/validation/zod-validation.pipe';
import { AppConfig } from '../../config/app-config';
import { Public } from '../decorators/auth.decorators';
import { RegistrationThrottleGuard } from '../throttling/registration-throttle.guard';
import { AttendeeSession, AttendeeSessionCookies } from './attendee-session';
import { RequireAttendeeSession, SignedIn } from './attendee-session.guard';
import { AttendeeSignInService } from './attendee-sign-in.service';
import { AttendeeSessionResponse, AttendeeSessionSchema, CallbackQuerySchema, SignInQuery, SignInQuerySchema } from './dto/attendee-auth.schemas';

@ApiTags('Attendee sign-in')
@Controller('api/v1/attendee')
export class AttendeeAuthController {
  constructor(
    private readonly signIn: AttendeeSignInService,
    private readonly cookies: AttendeeSessionCookies,
    private readonly config: AppConfig,
  ) {}

  @Get('auth/:provider/login')
  @Public()
  @UseGuards(RegistrationThrottleGuard)
  @ApiOperation({ summary: "Start signing in with the event's identity provider (redirects to it)" })
  @ApiZodQuery(SignInQuerySchema)
  @ApiResponse({ status: 302, description: 'To the provider (or back to the event page with ?signInError=unavailable when it is not configured)' })
  @ApiAdminErrors(400, 403, 404, 429, 503)
  async login(
    @Param('provider') provider: string,
    @Query(new ZodValidationPipe(SignInQuerySchema, 'query')) query: SignInQuery,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const { location, flow } = await this.signIn.begin(provider, query.event, baseUrlOf(request, this.config));
    if (flow) this.cookies.writeFlow(request, reply, flow);
    await reply.redirect(location, 302);
  }

  @Get('auth/:provider/callback')
  @Public()
  @UseGuards(RegistrationThrottleGuard)
  @ApiOperation({ summary: "The provider's redirect back; signs the attendee in and returns to the event page" })
  @ApiResponse({ status: 302, description: 'To the portal page of the event (with ?signInError=… when it failed)' })
  @ApiAdminErrors(400, 404, 429, 503)
  async callback(
    @Param('provider') provider: string,
    @Query(new ZodValidationPipe(CallbackQuerySchema, 'query')) query: { code?: string; state?: string; error?: string },
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const { location, session } = await this.signIn.complete(provider, query, this.cookies.takeFlow(request, reply));
    if (session) this.cookies.write(request, reply, session);
    await reply.redirect(location, 302);
  }

  @Post('auth/sign-out')
  @Public()
  @HttpCode(204)
  @ApiOperation({ summary: 'Forget the attendee sign-in in this browser' })
  @ApiResponse({ status: 204, description: 'Signed out' })
  signOut(@Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): void {
    this.cookies.clear(request, reply);
  }

  @Get('session')
  @RequireAttendeeSession()
  @ApiOperation({ summary: 'Who is signed in (the identity, for every event)' })
  @ApiZodResponse(200, AttendeeSessionSchema, 'The signed-in identity')
  @ApiAdminErrors(401)
  session(@SignedIn() session: AttendeeSession): AttendeeSessionResponse {
    return { provider: session.provider, login: session.login, name: session.name, email: session.email };
  }
}
