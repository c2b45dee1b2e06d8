import { Watch } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { Backoff, type BackoffOptions, sleep } from '../controller/backoff.js';
import type { KubeObject } from '../render/platform-spec.js';
import type { KubeClient } from './client.js';

export type InformerEvent = 'ADDED' | 'MODIFIED' | 'DELETED' | 'RESYNC';

export interface InformerOptions {
  /** Collection path (`/apis/apps/v1/deployments`, or one namespace's). */
  readonly path: string;
  readonly kind: string;
  readonly labelSelector?: string;
  /** A watch that brings neither an event nor a bookmark for this long is restarted. @default 90000 */
  readonly silenceMs?: number;
  /** Every object is handed to `onEvent` again this often, in case an event was missed. @default 300000 */
  readonly resyncMs?: number;
  /** Asked of the server per watch; it closes the stream after this and the informer re-watches. @default 300 */
  readonly watchTimeoutSeconds?: number;
  readonly backoff?: BackoffOptions;
  readonly onEvent: (type: InformerEvent, object: KubeObject) => void;
  readonly onRestart?: (reason: WatchEnd) => void;
}

export type WatchEnd = 'closed' | 'gone' | 'silence' | 'error';

interface ListResponse {
  readonly metadata: { readonly resourceVersion: string; readonly continue?: string };
  readonly items: KubeObject[];
}

interface WatchStatus {
  readonly code?: number;
  readonly message?: string;
}

/**
 * List-then-watch over one collection that never stops on its own: it relists when the
 * server answers 410 Gone, re-watches with backoff after any error or close, restarts a
 * watch that has gone quiet, and hands every cached object out again at each resync.
 */
export class Informer {
  public readonly store = new Map<string, KubeObject>();
  private resourceVersion: string | undefined;
  private synced = false;
  private readonly abort = new AbortController();
  private current?: AbortController;
  private loop?: Promise<void>;
  private resyncTimer?: NodeJS.Timeout;
  private readonly backoff: Backoff;
  private syncWaiters: (() => void)[] = [];

  public constructor(
    private readonly client: KubeClient,
    private readonly options: InformerOptions,
    private readonly log: Logger,
  ) {
    this.backoff = new Backoff(options.backoff ?? { baseMs: 500, maxMs: 30_000 });
  }

  public get hasSynced(): boolean {
    return this.synced;
  }

  public start(): void {
    this.loop = this.run();
    this.resyncTimer = setInterval(() => {
      for (const o of this.store.values()) this.options.onEvent('RESYNC', o);
    }, this.options.resyncMs ?? 300_000);
    this.resyncTimer.unref();
  }

  public waitForSync(): Promise<void> {
    return this.synced ? Promise.resolve() : new Promise((resolve) => this.syncWaiters.push(resolve));
  }

  public async stop(): Promise<void> {
    clearInterval(this.resyncTimer);
    this.abort.abort();
    this.current?.abort();
    await this.loop;
  }

  private async run(): Promise<void> {
    while (!this.abort.signal.aborted) {
      let end: WatchEnd;
      try {
        if (this.resourceVersion === undefined) await this.list();
        end = await this.watchOnce();
      } catch (err) {
        this.log.warn({ kind: this.options.kind, err: String(err) }, 'list failed');
        end = 'error';
      }
      if (this.abort.signal.aborted) return;
      this.options.onRestart?.(end);
      if (end === 'gone') this.resourceVersion = undefined;
      if (end === 'error' || end === 'gone') {
        const delay = this.backoff.next();
        this.log.info({ kind: this.options.kind, end, delayMs: delay, attempt: this.backoff.attempts }, 'watch ended; retrying');
        await sleep(delay, this.abort.signal);
      } else {
        this.log.debug({ kind: this.options.kind, end }, 'watch ended; re-watching');
      }
    }
  }

  private async list(): Promise<void> {
    const seen = new Map<string, KubeObject>();
    let cont: string | undefined;
    let rv: string;
    do {
      const page = await this.client.request<ListResponse>('GET', this.options.path, {
        query: { labelSelector: this.options.labelSelector, limit: 500, continue: cont },
        signal: this.abort.signal,
      });
      for (const item of page.items) seen.set(keyOf(item), item);
      cont = page.metadata.continue || undefined;
      rv = page.metadata.resourceVersion;
    } while (cont);
    for (const [key, old] of this.store) {
      if (!seen.has(key)) {
        this.store.delete(key);
        this.options.onEvent('DELETED', old);
      }
    }
    for (const [key, item] of seen) {
      const old = this.store.get(key);
      this.store.set(key, item);
      if (old?.metadata.resourceVersion !== item.metadata.resourceVersion) this.options.onEvent(old ? 'MODIFIED' : 'ADDED', item);
    }
    this.resourceVersion = rv;
    if (!this.synced) {
      this.synced = true;
      for (const w of this.syncWaiters.splice(0)) w();
    }
  }

  private watchOnce(): Promise<WatchEnd> {
    const watch = silenceAwareWatch(this.client, this.options.silenceMs ?? 90_000);
    return new Promise<WatchEnd>((resolve) => {
      let end: WatchEnd | undefined;
      let sawEvent = false;
      const finish = (why: WatchEnd): void => {
        end ??= why;
        this.current?.abort();
      };
      const onEvent = (type: string, obj: unknown): void => {
        if (!sawEvent) {
          sawEvent = true;
          this.backoff.reset();
        }
        if (type === 'ERROR') {
          const status = obj as WatchStatus;
          this.log.info({ kind: this.options.kind, code: status.code, message: status.message }, 'watch error event');
          finish(status.code === 410 ? 'gone' : 'error');
          return;
        }
        const object = obj as KubeObject;
        if (object.metadata.resourceVersion) this.resourceVersion = object.metadata.resourceVersion;
        if (type === 'BOOKMARK') return;
        const key = keyOf(object);
        if (type === 'DELETED') this.store.delete(key);
        else this.store.set(key, object);
        this.options.onEvent(type as InformerEvent, object);
      };
      const onDone = (err: unknown): void => {
        if (err === null || err === undefined) return resolve(end ?? 'closed');
        const e = err as { name?: string; statusCode?: number };
        if (end) return resolve(end);
        if (e.statusCode === 410) return resolve('gone');
        if (e.name === 'TimeoutError') {
          this.log.warn({ kind: this.options.kind, silenceMs: this.options.silenceMs ?? 90_000 }, 'watch silent; restarting');
          return resolve('silence');
        }
        if (e.name === 'AbortError' && this.abort.signal.aborted) return resolve('closed');
        this.log.info({ kind: this.options.kind, err: err instanceof Error ? err.message : JSON.stringify(err) }, 'watch failed');
        resolve('error');
      };
      watch
        .watch(
          this.options.path,
          {
            resourceVersion: this.resourceVersion,
            allowWatchBookmarks: true,
            labelSelector: this.options.labelSelector,
            timeoutSeconds: this.options.watchTimeoutSeconds ?? 300,
          },
          onEvent,
          onDone,
        )
        .then(
          (controller) => {
            this.current = controller;
            if (this.abort.signal.aborted || end) controller.abort();
          },
          (err: unknown) => onDone(err ?? new Error('watch failed')),
        );
    });
  }
}

export function keyOf(o: KubeObject): string {
  return `${o.metadata.namespace ?? ''}/${o.metadata.name}`;
}

/**
 * client-node 2.0.1's Watch aborts any stream that carries no byte for a private 30 s
 * `requestTimeoutMs`, killing healthy watches on quiet collections. Stretched past the
 * bookmark interval, the same timer becomes the silence detector the informer wants.
 * The field is private, so a client-node bump that drops it must fail here, loudly.
 */
function silenceAwareWatch(client: KubeClient, silenceMs: number): Watch {
  const watch = new Watch(client.config);
  const internals = watch as unknown as { requestTimeoutMs?: unknown };
  if (typeof internals.requestTimeoutMs !== 'number') {
    throw new Error('@kubernetes/client-node Watch no longer has requestTimeoutMs; revisit the silent-watch workaround');
  }
  internals.requestTimeoutMs = silenceMs;
  return watch;
}
