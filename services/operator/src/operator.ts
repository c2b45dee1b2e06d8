import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { OperatorConfig } from './config.js';
import type { BackoffOptions } from './controller/backoff.js';
import { Controller } from './controller/controller.js';
import { type OperatorMetrics, createMetrics } from './controller/metrics.js';
import { KubeClient } from './kube/client.js';
import { LeaderElector } from './kube/leader-election.js';

export interface OperatorOptions {
  readonly config: OperatorConfig;
  readonly kubeConfig: KubeConfig;
  readonly log: Logger;
  readonly watchBackoff?: BackoffOptions;
  readonly pollMs?: number;
  readonly defaultMetrics?: boolean;
  /** Called when the lease is lost while leading; `main` exits so the pod restarts clean. */
  readonly onLostLeadership?: () => void;
}

/** Leader election around the controller: only the lease holder runs informers and reconciles. */
export class Operator {
  public readonly metrics: OperatorMetrics;
  private readonly client: KubeClient;
  private readonly elector: LeaderElector;
  private controller?: Controller;
  private controllerStart?: Promise<void>;
  private stopping = false;

  public constructor(private readonly options: OperatorOptions) {
    const { config, log } = options;
    this.metrics = createMetrics({ defaultMetrics: options.defaultMetrics });
    this.client = new KubeClient(options.kubeConfig);
    this.elector = new LeaderElector(
      this.client,
      {
        namespace: config.leaseNamespace,
        name: config.leaseName,
        identity: config.identity,
        leaseDurationSeconds: config.leaseDurationSeconds,
        renewDeadlineSeconds: config.renewDeadlineSeconds,
        retryPeriodSeconds: config.retryPeriodSeconds,
        onStartedLeading: () => this.lead(),
        onStoppedLeading: () => this.follow(),
      },
      log,
    );
  }

  public get isLeader(): boolean {
    return this.elector.isLeader;
  }

  public get live(): boolean {
    return true;
  }

  public get ready(): boolean {
    return !this.elector.isLeader || (this.controller?.synced ?? false);
  }

  public start(): void {
    this.elector.start();
  }

  public async stop(): Promise<void> {
    this.stopping = true;
    // Stop reconciling before releasing the lease, so that two leaders never overlap.
    await this.stopController();
    await this.elector.stop();
    await this.client.close();
  }

  private lead(): void {
    this.metrics.leader.set(1);
    this.metrics.elections.inc();
    const { config, log } = this.options;
    this.controller = new Controller(
      this.client,
      {
        namespace: config.watchNamespace,
        identity: config.identity,
        silenceMs: config.silenceSeconds * 1000,
        resyncMs: config.resyncSeconds * 1000,
        watchBackoff: this.options.watchBackoff,
        pollMs: this.options.pollMs,
      },
      this.metrics,
      log,
    );
    this.controllerStart = this.controller.start().catch((err: unknown) => log.error({ err: String(err) }, 'controller failed to start'));
  }

  private follow(): void {
    this.metrics.leader.set(0);
    if (this.stopping) return;
    void this.stopController().then(() => this.options.onLostLeadership?.());
  }

  private async stopController(): Promise<void> {
    const controller = this.controller;
    this.controller = undefined;
    if (!controller) return;
    await controller.stop();
    await this.controllerStart;
  }
}
