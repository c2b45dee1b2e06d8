import type { Logger } from 'pino';
import { sleep } from '../controller/backoff.js';
import { ApiError, type KubeClient, isStatus } from './client.js';

export interface LeaderElectionOptions {
  readonly namespace: string;
  readonly name: string;
  readonly identity: string;
  /** How long a lease holds without renewal. @default 15 */
  readonly leaseDurationSeconds?: number;
  /** A leader that could not renew for this long steps down. @default 10 */
  readonly renewDeadlineSeconds?: number;
  /** @default 2 */
  readonly retryPeriodSeconds?: number;
  readonly onStartedLeading: () => void;
  readonly onStoppedLeading: () => void;
}

interface Lease {
  readonly metadata: { readonly name: string; readonly resourceVersion?: string };
  readonly spec?: {
    readonly holderIdentity?: string | null;
    readonly leaseDurationSeconds?: number;
    readonly acquireTime?: string;
    readonly renewTime?: string;
    readonly leaseTransitions?: number;
  };
}

/**
 * coordination.k8s.io Lease election, as client-go does it: expiry is judged by when this
 * process last saw the lease change, never by comparing clocks with the holder.
 */
export class LeaderElector {
  private leading = false;
  private readonly abort = new AbortController();
  private loop?: Promise<void>;
  private observed?: { record: string; at: number };

  public constructor(
    private readonly client: KubeClient,
    private readonly options: LeaderElectionOptions,
    private readonly log: Logger,
  ) {}

  public get isLeader(): boolean {
    return this.leading;
  }

  public start(): void {
    this.loop = this.run();
  }

  /** Stops campaigning and, when leading, releases the lease so a standby takes over at once. */
  public async stop(): Promise<void> {
    this.abort.abort();
    await this.loop;
    if (this.leading) {
      this.leading = false;
      await this.release().catch((err: unknown) => this.log.warn({ err: String(err) }, 'lease release failed'));
      this.options.onStoppedLeading();
    }
  }

  private get path(): string {
    return `/apis/coordination.k8s.io/v1/namespaces/${this.options.namespace}/leases`;
  }

  private async run(): Promise<void> {
    const retryMs = (this.options.retryPeriodSeconds ?? 2) * 1000;
    const renewDeadlineMs = (this.options.renewDeadlineSeconds ?? 10) * 1000;
    let lastRenew = 0;
    while (!this.abort.signal.aborted) {
      let ok = false;
      try {
        ok = await this.tryAcquireOrRenew();
      } catch (err) {
        this.log.warn({ err: String(err) }, 'lease update failed');
      }
      if (this.abort.signal.aborted) return;
      if (ok) {
        lastRenew = Date.now();
        if (!this.leading) {
          this.leading = true;
          this.log.info({ identity: this.options.identity }, 'became leader');
          this.options.onStartedLeading();
        }
      } else if (this.leading && Date.now() - lastRenew > renewDeadlineMs) {
        this.leading = false;
        this.log.error({ identity: this.options.identity }, 'lost the lease');
        this.options.onStoppedLeading();
      }
      await sleep(retryMs, this.abort.signal);
    }
  }

  private async tryAcquireOrRenew(): Promise<boolean> {
    const now = new Date().toISOString().replace(/Z$/, '000Z');
    const duration = this.options.leaseDurationSeconds ?? 15;
    let lease: Lease;
    try {
      lease = await this.client.request<Lease>('GET', `${this.path}/${this.options.name}`);
    } catch (err) {
      if (!isStatus(err, 404)) throw err;
      await this.client.request('POST', this.path, {
        body: {
          apiVersion: 'coordination.k8s.io/v1',
          kind: 'Lease',
          metadata: { name: this.options.name, namespace: this.options.namespace },
          spec: { holderIdentity: this.options.identity, leaseDurationSeconds: duration, acquireTime: now, renewTime: now, leaseTransitions: 0 },
        },
      });
      return true;
    }
    const spec = lease.spec ?? {};
    const record = JSON.stringify(spec);
    if (this.observed?.record !== record) this.observed = { record, at: Date.now() };
    const holder = spec.holderIdentity ?? '';
    const mine = holder === this.options.identity;
    const expired = holder === '' || Date.now() - this.observed.at > (spec.leaseDurationSeconds ?? duration) * 1000;
    if (!mine && !expired) return false;
    try {
      await this.client.request('PUT', `${this.path}/${this.options.name}`, {
        body: {
          ...lease,
          spec: {
            holderIdentity: this.options.identity,
            leaseDurationSeconds: duration,
            acquireTime: mine ? spec.acquireTime : now,
            renewTime: now,
            leaseTransitions: (spec.leaseTransitions ?? 0) + (mine ? 0 : 1),
          },
        },
      });
    } catch (err) {
      // Someone else wrote the lease between our read and write: they won this round.
      if (err instanceof ApiError && err.statusCode === 409) return false;
      throw err;
    }
    return true;
  }

  private async release(): Promise<void> {
    const lease = await this.client.request<Lease>('GET', `${this.path}/${this.options.name}`);
    if (lease.spec?.holderIdentity !== this.options.identity) return;
    await this.client.request('PUT', `${this.path}/${this.options.name}`, {
      body: { ...lease, spec: { ...lease.spec, holderIdentity: null, leaseDurationSeconds: 1 } },
    });
  }
}
