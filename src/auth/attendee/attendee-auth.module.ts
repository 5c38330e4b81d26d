import { Module } from '@nestjs/common';
import { EventsModule } from '../../events/events.module';
import { AttendeeAuthController } from './attendee-auth.controller';
import { AttendeeSessionCookies } from './attendee-session';
import { AttendeeSessionGuard } from './attendee-session.guard';
import { AttendeeSignInService } from './attendee-sign-in.service';
import { IdentityProviders } from './identity-providers';

/** Attendee sign-in with an identity provider (GitHub), and the session cookie it leaves. */
@Module({
  imports: [EventsModule],
  controllers: [AttendeeAuthController],
  providers: [IdentityProviders, AttendeeSessionCookies, AttendeeSessionGuard, AttendeeSignInService],
  exports: [AttendeeSessionCookies, AttendeeSessionGuard],
})
export class AttendeeAuthModule {}
