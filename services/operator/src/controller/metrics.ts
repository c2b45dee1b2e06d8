import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export type OperatorMetrics = ReturnType<typeof createMetrics>;

export function createMetrics(options: { readonly defaultMetrics?: boolean } = {}) {
  const registry = new Registry();
  if (options.defaultMetrics) collectDefaultMetrics({ register: registry });
  return {
    registry,
    reconciles: new Counter({ name: 'northstar_operator_reconcile_total', help: 'Reconciles by result', labelNames: ['result'], registers: [registry] }),
    reconcileSeconds: new Histogram({
      name: 'northstar_operator_reconcile_duration_seconds',
      help: 'Duration of one reconcile',
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    applied: new Counter({ name: 'northstar_operator_objects_total', help: 'Objects written, by action', labelNames: ['action'], registers: [registry] }),
    watchRestarts: new Counter({ name: 'northstar_operator_watch_restarts_total', help: 'Watch restarts by kind and cause', labelNames: ['kind', 'reason'], registers: [registry] }),
    queueDepth: new Gauge({ name: 'northstar_operator_workqueue_depth', help: 'Keys waiting in the work queue', registers: [registry] }),
    elections: new Counter({ name: 'northstar_operator_became_leader_total', help: 'Times this instance acquired the lease', registers: [registry] }),
    leader: new Gauge({ name: 'northstar_operator_leader', help: '1 while this instance holds the lease', registers: [registry] }),
  };
}
