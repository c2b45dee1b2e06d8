import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * One registry per process. The histograms' `_count` series are the request rates;
 * `outcome` separates successes from each kind of failure.
 */
export class Metrics {
  readonly registry = new Registry();

  readonly httpRequestDuration = new Histogram({
    name: 'northstar_http_request_duration_seconds',
    help: 'HTTP requests served, by route template, method, status and outcome',
    labelNames: ['method', 'route', 'status', 'outcome'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });

  readonly rpcServerDuration = new Histogram({
    name: 'northstar_rpc_server_duration_seconds',
    help: 'TCP messages handled, by pattern and outcome (ok or the error code)',
    labelNames: ['pattern', 'outcome'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });

  readonly rpcServerInFlight = new Gauge({
    name: 'northstar_rpc_server_in_flight',
    help: 'TCP messages being handled right now',
    registers: [this.registry],
  });

  readonly rateLimited = new Counter({
    name: 'northstar_http_rate_limited_total',
    help: 'Requests refused with 429',
    labelNames: ['route'] as const,
    registers: [this.registry],
  });

  constructor(service: string) {
    this.registry.setDefaultLabels({ service });
    collectDefaultMetrics({ register: this.registry, prefix: 'northstar_' });
  }

  render(): Promise<string> {
    return this.registry.metrics();
  }
}
