import { Module, type DynamicModule } from '@nestjs/common';
import type { Logger } from '@northstar/common';
import type { TokenSettings } from './config.js';
import { AuthController } from './controllers/auth.controller.js';
import { MembersController } from './controllers/members.controller.js';
import { OrganizationController } from './controllers/organization.controller.js';
import { IDENTITY_LOGGER, TOKEN_SETTINGS } from './injection-tokens.js';
import { SigningKeySet } from './keys/signing-keys.js';
import { OrganizationRepository } from './repositories/organization.repository.js';
import { RefreshTokenRepository } from './repositories/refresh-token.repository.js';
import { IDENTITY_DB, type IdentityDb } from './repositories/schema.js';
import { UserRepository } from './repositories/user.repository.js';
import { AuthService } from './services/auth.service.js';
import { BillingService } from './services/billing.service.js';
import { MembersService } from './services/members.service.js';
import { PasswordService } from './services/password.service.js';
import { TokensService } from './services/tokens.service.js';

export interface IdentityModuleOptions {
  readonly db: IdentityDb;
  readonly keys: SigningKeySet;
  readonly tokens: TokenSettings;
  readonly logger: Logger;
}

@Module({})
export class IdentityModule {
  static forRoot(options: IdentityModuleOptions): DynamicModule {
    return {
      module: IdentityModule,
      controllers: [AuthController, MembersController, OrganizationController],
      providers: [
        { provide: IDENTITY_DB, useValue: options.db },
        { provide: SigningKeySet, useValue: options.keys },
        { provide: TOKEN_SETTINGS, useValue: options.tokens },
        { provide: IDENTITY_LOGGER, useValue: options.logger },
        OrganizationRepository,
        UserRepository,
        RefreshTokenRepository,
        PasswordService,
        TokensService,
        AuthService,
        MembersService,
        BillingService,
      ],
      exports: [AuthService, TokensService, MembersService, BillingService],
    };
  }
}
