import { describe, expect, it } from '@jest/globals';
import { ConfigError, describeConfig, loadConfig, v } from './config.js';

const schema = {
  port: v.port('PORT', { description: 'HTTP port', default: 3001 }),
  timeoutMs: v.int('TIMEOUT_MS', { description: 'call timeout', default: 5000, min: 1 }),
  secret: v.string('WEBHOOK_SECRET', { description: 'webhook signing secret', sensitive: true }),
  databaseUrl: v.url('DATABASE_URL', { description: 'PostgreSQL URL', optional: true, protocols: ['postgres:', 'postgresql:'] }),
  level: v.oneOf('LOG_LEVEL', ['info', 'debug'] as const, { description: 'log level', default: 'info' }),
};

describe('loadConfig', () => {
  it('applies defaults and parses set values into their types', () => {
    const config = loadConfig(schema, { WEBHOOK_SECRET: 's3', TIMEOUT_MS: '250' });
    expect(config).toEqual({ port: 3001, timeoutMs: 250, secret: 's3', databaseUrl: undefined, level: 'info' });
  });

  it('lists every bad variable in one error', () => {
    let error: unknown;
    try {
      loadConfig(schema, { PORT: '70000', TIMEOUT_MS: 'soon', DATABASE_URL: 'mysql://x', LOG_LEVEL: 'loud' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    expect(problems).toHaveLength(5);
    expect(problems.join('\n')).toMatch(/PORT must be a port number/);
    expect(problems.join('\n')).toMatch(/TIMEOUT_MS must be a whole number/);
    expect(problems.join('\n')).toMatch(/WEBHOOK_SECRET is required/);
    expect(problems.join('\n')).toMatch(/DATABASE_URL must use postgres: or postgresql:/);
    expect(problems.join('\n')).toMatch(/LOG_LEVEL must be one of info, debug/);
  });

  it('never echoes a sensitive value, even when it is invalid or described', () => {
    const secretSchema = { key: v.int('SECRET_NUMBER', { description: 'x', sensitive: true }) };
    expect(() => loadConfig(secretSchema, { SECRET_NUMBER: 'hunter2-hunter2' })).toThrow(/SECRET_NUMBER must be a whole number$/m);
    const config = loadConfig(schema, { WEBHOOK_SECRET: 'topsecret' });
    expect(JSON.stringify(describeConfig(schema, config))).not.toContain('topsecret');
    expect(describeConfig(schema, config)['WEBHOOK_SECRET']).toBe('<set>');
  });
});
