import { Module } from '@nestjs/common';
import { EntraService } from './entra.service';
import { CoOrganisersController, OrganiserAuthController } from './organiser-auth.controller';
import { OrganiserSignInService } from './organiser-sign-in.service';
import { OrganisersRepository } from './organisers.repository';
import { OrganisersService } from './organisers.service';

/** Organisers: Entra ID sign-in (bearer tokens and the code flow), sessions, co-organisers. */
@Module({
  controllers: [OrganiserAuthController, CoOrganisersController],
  providers: [EntraService, OrganisersRepository, OrganisersService, OrganiserSignInService],
  exports: [EntraService, OrganisersService],
})
export class OrganiserModule {}
