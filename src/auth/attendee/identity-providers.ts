import { Injectable } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import { GitHubProvider } from './github.provider';
import type { IdentityProvider } from './identity-provider';

/** The configured attendee sign-in providers, by id. A provider without credentials is absent. */
@Injectable()
export class IdentityProviders {
  /** Every provider the product implements, configured or not. */
  static readonly KNOWN: readonly string[] = ['github'];
  private readonly providers = new Map<string, IdentityProvider>();

  constructor(config: AppConfig) {
    const github = config.attendeeSignIn.github;
    if (github) this.providers.set('github', new GitHubProvider(github));
  }

  get(id: string): IdentityProvider | undefined {
    return this.providers.get(id);
  }
}
