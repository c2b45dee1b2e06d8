import { describe, expect, it } from '@jest/globals';
import { loadConfig } from './config.js';

describe('loadConfig', () => {
  it('has working defaults', () => {
    expect(loadConfig({ POD_NAME: 'op-0' })).toEqual(expect.objectContaining({ identity: 'op-0', healthPort: 8081, leaseDurationSeconds: 15, watchNamespace: undefined }));
  });

  it('lists every bad variable at once', () => {
    expect(() => loadConfig({ HEALTH_PORT: 'x', LEASE_DURATION_SECONDS: '5', RENEW_DEADLINE_SECONDS: '8' })).toThrow(
      /HEALTH_PORT must be an integer >= 0, got 'x'[\s\S]*RENEW_DEADLINE_SECONDS \(8\) must be below LEASE_DURATION_SECONDS \(5\)/,
    );
  });
});
