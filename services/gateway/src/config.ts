import { ENV, GATEWAY, IDENTITY, ROADMAP, WEBHOOK_TOLERANCE_SECONDS } from '@northstar/contracts';
import { loadConfig, processSchema, v, type ConfigOf } from '@northstar/common';

const MIN_WEBHOOK_SECRET_LENGTH = 16;

/** Every variable the gateway reads, validated once at boot. */
export function gatewaySchema() {
  return {
    ...processSchema(),
    port: v.port(GATEWAY.portEnv, { description: 'HTTP port of the public API', default: GATEWAY.port }),
    host: v.string('HOST', { description: 'Address the HTTP server binds', default: '0.0.0.0' }),
    roadmapHost: v.string(ROADMAP.clientEnv.host, { description: 'Host name of the roadmap service (a headless Service in the cluster)', default: 'localhost' }),
    roadmapPort: v.port(ROADMAP.clientEnv.port, { description: 'TCP port of the roadmap service', default: ROADMAP.port }),
    identityHost: v.string(IDENTITY.clientEnv.host, { description: 'Host name of the identity service (a headless Service in the cluster)', default: 'localhost' }),
    identityPort: v.port(IDENTITY.clientEnv.port, { description: 'TCP port of the identity service', default: IDENTITY.port }),
    rpcTimeoutMs: v.int('RPC_TIMEOUT_MS', { description: 'Bound of every downstream call, retries included', default: 5000, min: 1, max: 120_000 }),
    corsOrigins: v.list(ENV.corsOrigins, { description: 'Comma-separated origins allowed by CORS; empty allows none', default: [] }),
    webhookSecret: {
      ...v.string(ENV.webhookSecret, { description: 'HMAC-SHA256 secret of the billing webhook', sensitive: true }),
      parse: (raw: string) => {
        if (raw.length < MIN_WEBHOOK_SECRET_LENGTH) throw new Error(`must be at least ${MIN_WEBHOOK_SECRET_LENGTH} characters`);
        return raw;
      },
    },
    webhookToleranceSeconds: v.int('WEBHOOK_TOLERANCE_SECONDS', {
      description: 'Largest age (and clock skew) of a billing webhook signature; also how long a seen signature is remembered',
      default: WEBHOOK_TOLERANCE_SECONDS,
      min: 1,
      max: 3600,
    }),
    throttleTtlMs: v.int('THROTTLE_TTL_MS', { description: 'Window of the rate limits', default: 60_000, min: 1 }),
    throttleLimit: v.int('THROTTLE_LIMIT', { description: 'Requests per window and client IP', default: 300, min: 1 }),
    throttleAuthLimit: v.int('THROTTLE_AUTH_LIMIT', {
      description: 'Requests per window and client IP to POST /auth/login and /auth/register',
      default: 10,
      min: 1,
    }),
    trustProxy: v.bool('TRUST_PROXY', {
      description: 'Take the client IP from X-Forwarded-For (only behind a proxy that sets it)',
      default: false,
    }),
    bodyLimitBytes: v.int('BODY_LIMIT_BYTES', { description: 'Largest request body accepted (413 above)', default: 1024 * 1024, min: 1024 }),
    jwksCacheTtlMs: v.int('JWKS_CACHE_TTL_MS', { description: 'How long identity\'s signing keys are trusted before they are fetched again', default: 300_000, min: 1000 }),
    planCacheTtlMs: v.int('PLAN_CACHE_TTL_MS', {
      description: "How long an organization's plan read from identity is used for POST /items before asking again (0: ask every time); a plan change another replica received takes up to this long to apply here",
      default: 5000,
      min: 0,
      max: 300_000,
    }),
    jwksMinRefetchMs: v.int('JWKS_MIN_REFETCH_MS', {
      description: 'Least time between two key fetches caused by tokens with an unknown key id',
      default: 5000,
      min: 0,
    }),
  };
}

export type GatewaySchema = ReturnType<typeof gatewaySchema>;
export type GatewayConfig = ConfigOf<GatewaySchema>;

export function loadGatewayConfig(env: NodeJS.ProcessEnv = process.env): GatewayConfig {
  return loadConfig(gatewaySchema(), env);
}
