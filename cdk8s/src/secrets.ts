import { ENV, IDENTITY, ROADMAP, type TcpService } from '@northstar/contracts';

/**
 * Secrets the platform reads but never creates: the deploy step generates them
 * (`infra/`, the Helm chart's pre-install hook, the operator), so no key or
 * password ever sits in git or in a synthesized manifest.
 */
export const SECRET_REFS = {
  jwt: { name: 'northstar-jwt', keys: { signingKeys: ENV.jwtSigningKeys } },
  webhook: { name: 'northstar-webhook', keys: { secret: ENV.webhookSecret } },
  database: {
    name: 'northstar-db',
    keys: {
      postgresPassword: 'POSTGRES_PASSWORD',
      roadmapUrl: databaseUrlKey(ROADMAP),
      identityUrl: databaseUrlKey(IDENTITY),
    },
  },
} as const;

/** Key in the `northstar-db` Secret holding one service's `DATABASE_URL`, e.g. `ROADMAP_DATABASE_URL`. */
export function databaseUrlKey(service: TcpService): string {
  return `${service.name.toUpperCase()}_${ENV.databaseUrl}`;
}
