import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { CircuitState } from './circuit-breaker.js';

export type AttemptOutcome = 'success' | 'remote_error' | 'timeout' | 'unavailable';
export type EventOutcome = 'sent' | 'unavailable' | 'timeout';

const PREFIX = 'northstar_rpc_client_';
/** Endpoint label of failures that happened before any endpoint was chosen. */
const NO_ENDPOINT = 'none';
const BREAKER_VALUE: Record<CircuitState, number> = { closed: 0, half_open: 1, open: 2 };

type Labels = Record<string, string>;
interface Series {
  readonly metric: Counter | Gauge;
  readonly labels: Labels;
  readonly counter: Counter.Internal | undefined;
}

/**
 * The pool's Prometheus metrics. Several pools (one per service) share one registry, so each
 * metric is registered once and told apart by the `service` label.
 */
export class RpcClientMetrics {
  private readonly requests: Counter;
  private readonly errors: Counter;
  private readonly events: Counter;
  private readonly retries: Counter;
  private readonly retriesDenied: Counter;
  private readonly duration: Histogram;
  private readonly breaker: Gauge;
  private readonly endpoints: Gauge;
  /**
   * Series per endpoint, removed with the endpoint so pod churn does not grow the registry.
   * Each keeps its bound child: prom-client hashes a label object on every inc() otherwise,
   * which was a tenth of the pool's own CPU per call.
   */
  private readonly names = new Map<Counter | Gauge | Histogram, string>();
  private readonly seriesOf = new Map<string, Map<string, Series>>();
  private readonly durations = new Map<string, Histogram.Internal<string>>();

  constructor(
    private readonly registry: Registry | undefined,
    private readonly service: string,
  ) {
    const endpointLabels = ['service', 'endpoint', 'pattern'] as const;
    this.requests = this.counter('requests_total', 'RPC attempts per endpoint, pattern and outcome.', [...endpointLabels, 'outcome']);
    this.errors = this.counter('errors_total', 'Failed RPC attempts per endpoint, pattern and reason.', [...endpointLabels, 'reason']);
    this.events = this.counter('events_total', 'Events emitted per endpoint, pattern and outcome.', [...endpointLabels, 'outcome']);
    this.retries = this.counter('retries_total', 'Retries sent to another endpoint.', ['service', 'pattern']);
    this.retriesDenied = this.counter('retries_denied_total', 'Retries refused by the retry budget.', ['service', 'pattern']);
    this.duration = this.metric('call_duration_seconds', () =>
      new Histogram({
        name: `${PREFIX}call_duration_seconds`,
        help: 'RPC call duration including retries, per pattern and outcome.',
        labelNames: ['service', 'pattern', 'outcome'],
        buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
        registers: [],
      }),
    );
    this.breaker = this.metric('breaker_state', () =>
      new Gauge({
        name: `${PREFIX}breaker_state`,
        help: 'Circuit breaker state per endpoint: 0 closed, 1 half-open, 2 open.',
        labelNames: ['service', 'endpoint'],
        registers: [],
      }),
    );
    this.endpoints = this.metric('endpoints', () =>
      new Gauge({
        name: `${PREFIX}endpoints`,
        help: 'Endpoints currently in the pool (resolved and not draining).',
        labelNames: ['service'],
        registers: [],
      }),
    );
  }

  attempt(endpoint: string, pattern: string, outcome: AttemptOutcome, reason?: string): void {
    this.count(endpoint, this.requests, pattern, 'outcome', outcome);
    if (reason) this.count(endpoint, this.errors, pattern, 'reason', reason);
  }

  /** A call failed before reaching any endpoint (none resolved, every circuit open). */
  rejected(pattern: string, reason: string): void {
    this.errors.inc({ service: this.service, endpoint: NO_ENDPOINT, pattern, reason });
  }

  event(endpoint: string | undefined, pattern: string, outcome: EventOutcome): void {
    if (endpoint) this.count(endpoint, this.events, pattern, 'outcome', outcome);
    else this.events.inc({ service: this.service, endpoint: NO_ENDPOINT, pattern, outcome });
  }

  retry(pattern: string): void {
    this.retries.inc({ service: this.service, pattern });
  }

  retryDenied(pattern: string): void {
    this.retriesDenied.inc({ service: this.service, pattern });
  }

  call(pattern: string, outcome: AttemptOutcome, seconds: number): void {
    const key = `${pattern}\u0000${outcome}`;
    let child = this.durations.get(key);
    if (!child) {
      child = this.duration.labels({ service: this.service, pattern, outcome });
      this.durations.set(key, child);
    }
    child.observe(seconds);
  }

  breakerState(endpoint: string, state: CircuitState): void {
    const labels = { service: this.service, endpoint };
    this.breaker.set(labels, BREAKER_VALUE[state]);
    this.series(endpoint).set('breaker_state', { metric: this.breaker, labels, counter: undefined });
  }

  poolSize(size: number): void {
    this.endpoints.set({ service: this.service }, size);
  }

  forgetEndpoint(endpoint: string): void {
    for (const { metric, labels } of this.seriesOf.get(endpoint)?.values() ?? []) metric.remove(labels);
    this.seriesOf.delete(endpoint);
  }

  private count(endpoint: string, counter: Counter, pattern: string, label: 'outcome' | 'reason', value: string): void {
    const perEndpoint = this.series(endpoint);
    const key = `${this.names.get(counter) ?? ''}\u0000${pattern}\u0000${value}`;
    let series = perEndpoint.get(key);
    if (!series) {
      const labels = { service: this.service, endpoint, pattern, [label]: value };
      series = { metric: counter, labels, counter: counter.labels(labels) };
      perEndpoint.set(key, series);
    }
    series.counter!.inc();
  }

  private series(endpoint: string): Map<string, Series> {
    let perEndpoint = this.seriesOf.get(endpoint);
    if (!perEndpoint) {
      perEndpoint = new Map<string, Series>();
      this.seriesOf.set(endpoint, perEndpoint);
    }
    return perEndpoint;
  }

  private counter(name: string, help: string, labelNames: string[]): Counter {
    return this.metric(name, () => new Counter({ name: `${PREFIX}${name}`, help, labelNames, registers: [] }));
  }

  private metric<T extends Counter | Gauge | Histogram>(name: string, create: () => T): T {
    const existing = this.registry?.getSingleMetric(`${PREFIX}${name}`) as T | undefined;
    const metric = existing ?? create();
    if (!existing) this.registry?.registerMetric(metric);
    this.names.set(metric, name);
    return metric;
  }
}
