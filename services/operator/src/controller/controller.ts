import { IDENTITY, ROADMAP, GATEWAY } from '@northstar/contracts';
import type { Logger } from 'pino';
import { CONTENT_TYPE, type KubeClient, isStatus } from '../kube/client.js';
import { Informer, type InformerEvent, keyOf } from '../kube/informer.js';
import { OWNED_KINDS, applyRank, collectionPath, kindOf, objectPath } from '../kube/resources.js';
import {
  PLATFORM_API_VERSION,
  PLATFORM_KIND,
  PLATFORM_PLURAL,
  type KubeObject,
  type Platform,
  type PlatformStatus,
} from '../render/platform-spec.js';
import { type DesiredObject, FIELD_MANAGER, PLATFORM_LABEL, renderPlatform } from '../render/render.js';
import type { BackoffOptions } from './backoff.js';
import { EventRecorder } from './events.js';
import type { OperatorMetrics } from './metrics.js';
import { computeStatus, isRolledOut, transitions } from './status.js';
import { WorkQueue } from './work-queue.js';

export interface ControllerOptions {
  /** Only Platforms (and owned objects) in this namespace; all namespaces when unset. */
  readonly namespace?: string;
  readonly identity: string;
  readonly silenceMs?: number;
  readonly resyncMs?: number;
  readonly watchBackoff?: BackoffOptions;
  /** How often a Platform whose rollout is under way is looked at again. @default 3000 */
  readonly pollMs?: number;
  /** @default 300 */
  readonly defaultProgressDeadlineSeconds?: number;
}

interface Change {
  readonly drift: boolean;
  readonly text: string;
}

const PLATFORM_RESOURCE = { apiVersion: PLATFORM_API_VERSION, kind: PLATFORM_KIND, plural: PLATFORM_PLURAL };
const GATED = [ROADMAP.name, IDENTITY.name, GATEWAY.name] as const;

/**
 * Reconciles each Platform into the objects its constructs render. Informers feed a keyed
 * queue; a reconcile reads only caches and writes with server-side apply, so running it
 * twice changes nothing.
 */
export class Controller {
  private readonly platforms: Informer;
  private readonly owned = new Map<string, Informer>();
  private readonly queue: WorkQueue;
  private readonly events: EventRecorder;
  /** Generation (or resourceVersion) each object had after our last write, to tell our writes from others'. */
  private readonly written = new Map<string, { readonly marker: string; readonly generation: number }>();
  private running = false;

  public constructor(
    private readonly client: KubeClient,
    private readonly options: ControllerOptions,
    private readonly metrics: OperatorMetrics,
    private readonly log: Logger,
  ) {
    this.queue = new WorkQueue((key) => this.reconcileTimed(key), {
      workers: 2,
      onError: (key, err) => this.log.warn({ platform: key, err: String(err) }, 'reconcile failed; retrying'),
    });
    this.events = new EventRecorder(client, options.identity, log);
    const common = {
      silenceMs: options.silenceMs,
      resyncMs: options.resyncMs,
      backoff: options.watchBackoff,
    };
    this.platforms = new Informer(
      client,
      {
        ...common,
        kind: PLATFORM_KIND,
        path: collectionPath(PLATFORM_RESOURCE, options.namespace),
        onEvent: (_type, o) => this.queue.add(keyOf(o)),
        onRestart: (reason) => this.metrics.watchRestarts.inc({ kind: PLATFORM_KIND, reason }),
      },
      log,
    );
    for (const kind of OWNED_KINDS) {
      this.owned.set(
        kind.kind,
        new Informer(
          client,
          {
            ...common,
            kind: kind.kind,
            path: collectionPath(kind, options.namespace),
            labelSelector: PLATFORM_LABEL,
            onEvent: (type, o) => this.onOwnedEvent(type, o),
            onRestart: (reason) => this.metrics.watchRestarts.inc({ kind: kind.kind, reason }),
          },
          log,
        ),
      );
    }
  }

  public get synced(): boolean {
    return this.running && this.platforms.hasSynced && [...this.owned.values()].every((i) => i.hasSynced);
  }

  public async start(): Promise<void> {
    this.running = true;
    this.platforms.start();
    for (const i of this.owned.values()) i.start();
    // Pruning from a half-filled cache would miss objects, so no reconcile runs before every cache is in.
    await Promise.all([this.platforms.waitForSync(), ...[...this.owned.values()].map((i) => i.waitForSync())]);
    if (!this.running) return;
    this.queue.start();
    this.log.info({ platforms: this.platforms.store.size }, 'caches synced; reconciling');
  }

  public async stop(): Promise<void> {
    this.running = false;
    await this.queue.stop();
    await Promise.all([this.platforms.stop(), ...[...this.owned.values()].map((i) => i.stop())]);
  }

  private onOwnedEvent(_type: InformerEvent, o: KubeObject): void {
    const owner = o.metadata.ownerReferences?.find((r) => r.kind === PLATFORM_KIND && r.apiVersion === PLATFORM_API_VERSION);
    const name = owner?.name ?? o.metadata.labels?.[PLATFORM_LABEL];
    if (name) this.queue.add(`${o.metadata.namespace ?? ''}/${name}`);
  }

  private async reconcileTimed(key: string): Promise<void> {
    const end = this.metrics.reconcileSeconds.startTimer();
    try {
      await this.reconcile(key);
      this.metrics.reconciles.inc({ result: 'success' });
    } catch (err) {
      this.metrics.reconciles.inc({ result: 'error' });
      throw err;
    } finally {
      end();
      this.metrics.queueDepth.set(this.queue.depth);
    }
  }

  private async reconcile(key: string): Promise<void> {
    const platform = this.platforms.store.get(key) as Platform | undefined;
    // Deleted Platforms need nothing: the garbage collector follows the owner references.
    if (!platform || platform.metadata.deletionTimestamp) return;
    const generation = platform.metadata.generation ?? 0;
    const deadline = platform.spec.rollout?.progressDeadlineSeconds ?? this.options.defaultProgressDeadlineSeconds ?? 300;
    const observe = (workloads: Record<string, KubeObject | undefined>, gatePassed: boolean, failure?: { reason: 'InvalidSpec' | 'ApplyFailed'; message: string }) =>
      computeStatus({ generation, workloads, gatePassed, previous: platform.status, now: new Date(), progressDeadlineSeconds: deadline, failure });

    let desired: DesiredObject[];
    try {
      desired = renderPlatform(platform);
    } catch (err) {
      await this.writeStatus(platform, observe(this.liveWorkloads(platform), false, { reason: 'InvalidSpec', message: String((err as Error).message) }));
      return;
    }

    const workloads: Record<string, KubeObject | undefined> = this.liveWorkloads(platform);
    const changes: Change[] = [];
    const firstPass = platform.status?.observedGeneration !== generation;
    const applyAll = async (objects: DesiredObject[]): Promise<void> => {
      for (const d of [...objects].sort((a, b) => applyRank(a.object.kind) - applyRank(b.object.kind))) {
        const live = await this.apply(d.object, generation, firstPass, changes);
        if (d.component && d.component !== 'postgres') workloads[d.component] = live;
      }
    };
    let gatePassed = false;
    try {
      await applyAll(desired.filter((d) => d.stage === 'backends'));
      gatePassed = isRolledOut(workloads[ROADMAP.name]) && isRolledOut(workloads[IDENTITY.name]);
      if (gatePassed) await applyAll(desired.filter((d) => d.stage === 'gateway'));
      await this.prune(platform, desired, changes);
    } catch (err) {
      const message = String((err as Error).message);
      await this.writeStatus(platform, observe(workloads, gatePassed, { reason: 'ApplyFailed', message }));
      throw err;
    }

    const status = observe(workloads, gatePassed);
    if (changes.length > 0) {
      const drift = changes.some((c) => c.drift);
      await this.events.record(platform, drift ? 'Warning' : 'Normal', drift ? 'DriftCorrected' : 'Applied', changes.map((c) => c.text).join('; '));
    }
    await this.writeStatus(platform, status);
    if (status.rolloutStartedAt) this.queue.addAfter(key, this.options.pollMs ?? 3000);
  }

  private liveWorkloads(platform: Platform): Record<string, KubeObject | undefined> {
    const deployments = this.owned.get('Deployment')?.store;
    return Object.fromEntries(GATED.map((n) => [n, deployments?.get(`${platform.metadata.namespace ?? ''}/${n}`)]));
  }

  private async apply(object: KubeObject, generation: number, firstPass: boolean, changes: Change[]): Promise<KubeObject> {
    const kind = kindOf(object.apiVersion, object.kind);
    const namespace = object.metadata.namespace ?? '';
    const id = `${object.kind}/${namespace}/${object.metadata.name}`;
    const cached = this.owned.get(object.kind)?.store.get(`${namespace}/${object.metadata.name}`);
    const live = await this.client.request<KubeObject>('PATCH', objectPath(kind, namespace, object.metadata.name), {
      query: { fieldManager: FIELD_MANAGER, force: true },
      body: object,
      contentType: CONTENT_TYPE.apply,
    });
    const marker = (o: KubeObject): string => String(o.metadata.generation ?? o.metadata.resourceVersion);
    const previous = this.written.get(id);
    this.written.set(id, { marker: marker(live), generation });
    // A change to an object already written for this generation came from someone else: drift.
    const drift = previous ? previous.generation === generation : !firstPass;
    const before = previous?.marker ?? (cached ? marker(cached) : undefined);
    if (!cached || before === undefined) {
      changes.push({ drift: drift && previous !== undefined, text: `${drift && previous ? 'recreated' : 'created'} ${object.kind} ${object.metadata.name}` });
      this.metrics.applied.inc({ action: 'create' });
    } else if (before !== marker(live)) {
      changes.push({ drift, text: `${drift ? 'reverted a change to' : 'updated'} ${object.kind} ${object.metadata.name}` });
      this.metrics.applied.inc({ action: 'update' });
    }
    return live;
  }

  private async prune(platform: Platform, desired: DesiredObject[], changes: Change[]): Promise<void> {
    const wanted = new Set(desired.map((d) => `${d.object.kind}/${d.object.metadata.namespace ?? ''}/${d.object.metadata.name}`));
    for (const kind of OWNED_KINDS) {
      for (const o of this.owned.get(kind.kind)?.store.values() ?? []) {
        const namespace = o.metadata.namespace ?? '';
        if (namespace !== platform.metadata.namespace) continue;
        if (!o.metadata.ownerReferences?.some((r) => r.uid === platform.metadata.uid)) continue;
        const id = `${kind.kind}/${namespace}/${o.metadata.name}`;
        if (wanted.has(id)) continue;
        try {
          await this.client.request('DELETE', objectPath(kind, namespace, o.metadata.name), {
            body: { apiVersion: 'v1', kind: 'DeleteOptions', propagationPolicy: 'Background', preconditions: { uid: o.metadata.uid } },
          });
        } catch (err) {
          if (!isStatus(err, 404) && !isStatus(err, 409)) throw err;
        }
        this.written.delete(id);
        changes.push({ drift: false, text: `pruned ${kind.kind} ${o.metadata.name}` });
        this.metrics.applied.inc({ action: 'prune' });
      }
    }
  }

  private async writeStatus(platform: Platform, status: PlatformStatus): Promise<void> {
    if (JSON.stringify(status) === JSON.stringify(platform.status ?? {})) return;
    const namespace = platform.metadata.namespace ?? '';
    try {
      // Merge patch with `null` first clears fields the new status no longer has (rolloutStartedAt).
      await this.client.request('PATCH', `${objectPath(PLATFORM_RESOURCE, namespace, platform.metadata.name)}/status`, {
        body: { status: { rolloutStartedAt: null, ...status } },
        contentType: CONTENT_TYPE.merge,
      });
    } catch (err) {
      if (isStatus(err, 404)) return;
      throw err;
    }
    for (const c of transitions(platform.status, status)) {
      const bad = (c.type === 'Degraded' && c.status === 'True') || (c.type === 'Available' && c.status === 'False');
      await this.events.record(platform, bad ? 'Warning' : 'Normal', c.reason, `${c.type}=${c.status}${c.message ? `: ${c.message}` : ''}`);
    }
  }
}
