/**
 * The one description of the system's shape: names, ports, health paths and the
 * environment variables that wire services together. The services, the cdk8s app,
 * the operator and the tests import it; nothing else writes a port number.
 */

export const HEALTH_PATHS = {
  live: '/health/live',
  ready: '/health/ready',
  metrics: '/metrics',
} as const;

export type ServiceName = 'gateway' | 'roadmap' | 'identity';

interface BaseService {
  readonly name: ServiceName;
  /** Human description, used in manifests and docs. */
  readonly description: string;
  /** Env variable holding the port the service listens on. */
  readonly portEnv: string;
  readonly port: number;
  /** Port serving HEALTH_PATHS over plain HTTP (the main port for the gateway). */
  readonly healthPort: number;
}

export interface HttpService extends BaseService {
  readonly transport: 'http';
}

export interface TcpService extends BaseService {
  readonly transport: 'tcp';
  /** Env variable holding the address the TCP server binds. */
  readonly bindHostEnv: 'MS_HOST';
  /** Env variable holding the health port. */
  readonly healthPortEnv: 'HEALTH_PORT';
  /** Env variables the gateway reads to find this service (the seed article's names). */
  readonly clientEnv: { readonly host: string; readonly port: string };
  /** Whether the service owns a database (`DATABASE_URL`). */
  readonly database: string;
}

export const GATEWAY: HttpService = {
  name: 'gateway',
  description: 'HTTP API gateway, the only public entry point',
  transport: 'http',
  portEnv: 'PORT',
  port: 3001,
  healthPort: 3001,
};

export const ROADMAP: TcpService = {
  name: 'roadmap',
  description: 'Roadmap items (microservice one)',
  transport: 'tcp',
  portEnv: 'MS_PORT',
  port: 3002,
  bindHostEnv: 'MS_HOST',
  healthPortEnv: 'HEALTH_PORT',
  healthPort: 3102,
  clientEnv: { host: 'MS_ONE_HOST', port: 'MS_ONE_PORT' },
  database: 'roadmap',
};

export const IDENTITY: TcpService = {
  name: 'identity',
  description: 'Users, organizations and tokens (microservice two)',
  transport: 'tcp',
  portEnv: 'MS_PORT',
  port: 3003,
  bindHostEnv: 'MS_HOST',
  healthPortEnv: 'HEALTH_PORT',
  healthPort: 3103,
  clientEnv: { host: 'MS_TWO_HOST', port: 'MS_TWO_PORT' },
  database: 'identity',
};

export const TCP_SERVICES: readonly TcpService[] = [ROADMAP, IDENTITY];
export const SERVICES: readonly (HttpService | TcpService)[] = [GATEWAY, ROADMAP, IDENTITY];

/** Env variable names shared by more than one service. */
export const ENV = {
  databaseUrl: 'DATABASE_URL',
  logLevel: 'LOG_LEVEL',
  nodeEnv: 'NODE_ENV',
  /** Milliseconds a pod keeps serving (readiness already failing) after SIGTERM before it drains. */
  shutdownDelayMs: 'SHUTDOWN_DELAY_MS',
  /** Gateway: comma-separated origins allowed by CORS. */
  corsOrigins: 'CORS_ORIGINS',
  /** Identity: PEM private key(s) signing access tokens (sensitive). */
  jwtSigningKeys: 'JWT_SIGNING_KEYS',
  /** Gateway: HMAC secret of the billing webhook (sensitive). */
  webhookSecret: 'WEBHOOK_SECRET',
} as const;

/** Labels every workload carries; the NetworkPolicies and Services select on them. */
export const APP_LABEL = 'app.kubernetes.io/name';
export const PART_OF_LABEL = 'app.kubernetes.io/part-of';
export const PART_OF = 'northstar';

export const POSTGRES = {
  name: 'postgres',
  port: 5432,
} as const;
