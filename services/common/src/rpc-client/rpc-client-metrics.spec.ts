import { describe, expect, it } from '@jest/globals';
import { Registry } from 'prom-client';
import { RpcClientMetrics } from './rpc-client-metrics.js';

const ROUTE = '{"cmd":"findOneItem"}';

function series(text: string, name: string): string[] {
  return text.split('\n').filter((l) => l.startsWith(`northstar_rpc_client_${name}{`));
}

describe('RpcClientMetrics', () => {
  it('counts attempts per endpoint, pattern and outcome, failures per reason, and call durations per outcome', async () => {
    const registry = new Registry();
    const m = new RpcClientMetrics(registry, 'roadmap');
    for (let i = 0; i < 3; i++) m.attempt('10.0.0.1:3002', ROUTE, 'success');
    m.attempt('10.0.0.2:3002', ROUTE, 'success');
    m.attempt('10.0.0.2:3002', ROUTE, 'timeout', 'timeout');
    m.call(ROUTE, 'success', 0.002);
    m.call(ROUTE, 'success', 0.004);
    m.call(ROUTE, 'timeout', 3);

    const text = await registry.metrics();
    expect(series(text, 'requests_total').sort()).toEqual([
      `northstar_rpc_client_requests_total{service="roadmap",endpoint="10.0.0.1:3002",pattern="${ROUTE.replace(/"/g, '\\"')}",outcome="success"} 3`,
      `northstar_rpc_client_requests_total{service="roadmap",endpoint="10.0.0.2:3002",pattern="${ROUTE.replace(/"/g, '\\"')}",outcome="success"} 1`,
      `northstar_rpc_client_requests_total{service="roadmap",endpoint="10.0.0.2:3002",pattern="${ROUTE.replace(/"/g, '\\"')}",outcome="timeout"} 1`,
    ].sort());
    expect(series(text, 'errors_total')).toEqual([
      `northstar_rpc_client_errors_total{service="roadmap",endpoint="10.0.0.2:3002",pattern="${ROUTE.replace(/"/g, '\\"')}",reason="timeout"} 1`,
    ]);
    const counts = series(text, 'call_duration_seconds_count').map((l) => [/outcome="(\w+)"/.exec(l)?.[1], l.split(' ').pop()]);
    expect(counts.sort()).toEqual([
      ['success', '2'],
      ['timeout', '1'],
    ]);
  });

  it("drops a vanished endpoint's series and no other, and counts it afresh if it comes back", async () => {
    const registry = new Registry();
    const m = new RpcClientMetrics(registry, 'roadmap');
    m.attempt('10.0.0.1:3002', ROUTE, 'success');
    m.attempt('10.0.0.1:3002', ROUTE, 'unavailable', 'connection_lost');
    m.event('10.0.0.1:3002', '{"cmd":"subscriptionUpdated"}', 'sent');
    m.breakerState('10.0.0.1:3002', 'open');
    m.attempt('10.0.0.2:3002', ROUTE, 'success');
    m.breakerState('10.0.0.2:3002', 'closed');

    m.forgetEndpoint('10.0.0.1:3002');
    let text = await registry.metrics();
    expect(text).not.toContain('10.0.0.1:3002');
    expect(series(text, 'requests_total')).toHaveLength(1);
    expect(series(text, 'breaker_state')).toEqual(['northstar_rpc_client_breaker_state{service="roadmap",endpoint="10.0.0.2:3002"} 0']);

    m.attempt('10.0.0.1:3002', ROUTE, 'success');
    text = await registry.metrics();
    expect(series(text, 'requests_total').filter((l) => l.includes('10.0.0.1:3002'))).toEqual([expect.stringMatching(/outcome="success"\} 1$/)]);
  });

  it('shares one registry between pools, told apart by the service label', async () => {
    const registry = new Registry();
    new RpcClientMetrics(registry, 'roadmap').attempt('10.0.0.1:3002', ROUTE, 'success');
    new RpcClientMetrics(registry, 'identity').attempt('10.0.0.9:3003', '{"cmd":"jwks"}', 'success');
    const text = await registry.metrics();
    expect(series(text, 'requests_total').map((l) => /service="(\w+)"/.exec(l)?.[1]).sort()).toEqual(['identity', 'roadmap']);
  });
});
