import { describe, expect, it } from '@jest/globals';
import { ConfigError, describeConfig } from '@northstar/common';
import { GATEWAY, IDENTITY, ROADMAP } from '@northstar/contracts';
import { gatewaySchema, loadGatewayConfig } from './config.js';

const SECRET = 'a-webhook-secret-of-some-length';

describe('gateway config', () => {
  it('takes its defaults from the topology and the seed article\'s env names', () => {
    const config = loadGatewayConfig({ WEBHOOK_SECRET: SECRET });
    expect(config).toMatchObject({
      port: GATEWAY.port,
      roadmapHost: 'localhost',
      roadmapPort: ROADMAP.port,
      identityHost: 'localhost',
      identityPort: IDENTITY.port,
      rpcTimeoutMs: 5000,
      corsOrigins: [],
      bodyLimitBytes: 1024 * 1024,
      webhookToleranceSeconds: 300,
      throttleLimit: 300,
      throttleAuthLimit: 10,
    });
    const wired = loadGatewayConfig({ WEBHOOK_SECRET: SECRET, MS_ONE_HOST: 'roadmap', MS_ONE_PORT: '4002', MS_TWO_HOST: 'identity', MS_TWO_PORT: '4003', CORS_ORIGINS: 'https://a.test, https://b.test' });
    expect(wired).toMatchObject({ roadmapHost: 'roadmap', roadmapPort: 4002, identityHost: 'identity', identityPort: 4003, corsOrigins: ['https://a.test', 'https://b.test'] });
  });

  it('lists every bad variable in one error and never prints the secret', () => {
    let error: unknown;
    try {
      loadGatewayConfig({ PORT: 'http', MS_ONE_PORT: '99999', RPC_TIMEOUT_MS: '0', THROTTLE_LIMIT: 'many', WEBHOOK_SECRET: 'short-secret' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const text = (error as ConfigError).message;
    for (const name of ['PORT', 'MS_ONE_PORT', 'RPC_TIMEOUT_MS', 'THROTTLE_LIMIT', 'WEBHOOK_SECRET']) expect(text).toContain(`${name} `);
    expect((error as ConfigError).problems).toHaveLength(5);
    expect(text).not.toContain('short-secret');
  });

  it('requires WEBHOOK_SECRET and shows it only as <set>', () => {
    expect(() => loadGatewayConfig({})).toThrow(/WEBHOOK_SECRET is required/);
    const config = loadGatewayConfig({ WEBHOOK_SECRET: SECRET });
    expect(JSON.stringify(describeConfig(gatewaySchema(), config))).not.toContain(SECRET);
  });
});
