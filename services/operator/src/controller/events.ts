import type { Logger } from 'pino';
import type { KubeClient } from '../kube/client.js';
import type { Platform } from '../render/platform-spec.js';
import { FIELD_MANAGER } from '../render/render.js';

export type EventType = 'Normal' | 'Warning';

/** Writes core/v1 Events on a Platform; failing to record one never fails a reconcile. */
export class EventRecorder {
  private seq = 0;

  public constructor(
    private readonly client: KubeClient,
    private readonly identity: string,
    private readonly log: Logger,
  ) {}

  public async record(platform: Platform, type: EventType, reason: string, message: string): Promise<void> {
    const namespace = platform.metadata.namespace ?? 'default';
    const now = new Date().toISOString();
    this.seq += 1;
    try {
      await this.client.request('POST', `/api/v1/namespaces/${namespace}/events`, {
        body: {
          apiVersion: 'v1',
          kind: 'Event',
          metadata: { name: `${platform.metadata.name}.${Date.now().toString(16)}${this.seq.toString(16)}`, namespace },
          involvedObject: {
            apiVersion: platform.apiVersion,
            kind: platform.kind,
            name: platform.metadata.name,
            namespace,
            uid: platform.metadata.uid,
            resourceVersion: platform.metadata.resourceVersion,
          },
          type,
          reason,
          message: message.slice(0, 1024),
          source: { component: FIELD_MANAGER },
          reportingComponent: FIELD_MANAGER,
          reportingInstance: this.identity,
          firstTimestamp: now,
          lastTimestamp: now,
          count: 1,
        },
      });
    } catch (err) {
      this.log.warn({ reason, err: String(err) }, 'could not record event');
    }
  }
}
