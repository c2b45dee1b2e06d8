import { HttpMethod, type KubeConfig, RequestContext } from '@kubernetes/client-node';
import { type Dispatcher, fetch } from 'undici';

/** A failed API call, with the Status the server sent. */
export class ApiError extends Error {
  public constructor(
    public readonly statusCode: number,
    public readonly reason: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export function isStatus(err: unknown, code: number): boolean {
  return err instanceof ApiError && err.statusCode === code;
}

export const CONTENT_TYPE = {
  json: 'application/json',
  // Server-side apply: the generated clients default to json-patch, which the server rejects for an apply.
  apply: 'application/apply-patch+yaml',
  merge: 'application/merge-patch+json',
} as const;

interface RequestOptions {
  readonly query?: Readonly<Record<string, string | number | boolean | undefined>>;
  readonly body?: unknown;
  readonly contentType?: string;
  readonly signal?: AbortSignal;
}

interface Auth {
  readonly headers: Record<string, string>;
  readonly dispatcher: Dispatcher | undefined;
  readonly at: number;
}

/**
 * A small JSON client over the KubeConfig's credentials. The generated client-node APIs
 * serialize through their model classes and pick patch content types by themselves; a
 * controller that applies arbitrary rendered objects wants neither.
 */
export class KubeClient {
  private auth?: Promise<Auth>;

  public constructor(
    public readonly config: KubeConfig,
    private readonly requestTimeoutMs = 30_000,
    // Token files rotate (projected service-account tokens), so credentials are re-read now and then.
    private readonly authTtlMs = 60_000,
  ) {}

  public get server(): string {
    const cluster = this.config.getCurrentCluster();
    if (!cluster) throw new Error('the kubeconfig has no current cluster');
    return cluster.server;
  }

  public async request<T>(method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', path: string, options: RequestOptions = {}): Promise<T> {
    const url = new URL(this.server + path);
    for (const [k, v] of Object.entries(options.query ?? {})) {
      if (v !== undefined) url.searchParams.set(k, String(v));
    }
    const auth = await this.credentials();
    const headers: Record<string, string> = { ...auth.headers, accept: CONTENT_TYPE.json };
    if (options.body !== undefined) headers['content-type'] = options.contentType ?? CONTENT_TYPE.json;
    const timeout = AbortSignal.timeout(this.requestTimeoutMs);
    const response = await fetch(url, {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      dispatcher: auth.dispatcher,
      signal: options.signal ? AbortSignal.any([options.signal, timeout]) : timeout,
    });
    const text = await response.text();
    if (!response.ok) {
      let reason = response.statusText;
      let message = text;
      try {
        const status = JSON.parse(text) as { reason?: string; message?: string };
        reason = status.reason ?? reason;
        message = status.message ?? message;
      } catch {
        // Not a Status object (a proxy in between, say): keep the raw body.
      }
      throw new ApiError(response.status, reason, `${method} ${path}: ${response.status} ${reason}: ${message}`);
    }
    return (text === '' ? undefined : JSON.parse(text)) as T;
  }

  public async close(): Promise<void> {
    const auth = await this.auth?.catch(() => undefined);
    this.auth = undefined;
    await auth?.dispatcher?.close();
  }

  private async credentials(): Promise<Auth> {
    const current = this.auth ? await this.auth.catch(() => undefined) : undefined;
    if (current && Date.now() - current.at < this.authTtlMs) return current;
    const next = this.loadCredentials();
    this.auth = next;
    const fresh = await next;
    // Let requests on the old agent finish, then release its sockets.
    if (current?.dispatcher && current.dispatcher !== fresh.dispatcher) void current.dispatcher.close().catch(() => undefined);
    return fresh;
  }

  private async loadCredentials(): Promise<Auth> {
    const ctx = new RequestContext(this.server, HttpMethod.GET);
    await this.config.applySecurityAuthentication(ctx);
    return { headers: ctx.getHeaders(), dispatcher: ctx.getDispatcher(), at: Date.now() };
  }
}
