export interface Injected {
  readonly status: number;
  readonly headers: Record<string, string | undefined>;
  readonly body: Record<string, unknown>;
  readonly text: string;
}

export interface CallOptions {
  readonly token?: string;
  readonly body?: unknown;
  /** Sent as is, with content-type application/json unless headers say otherwise. */
  readonly raw?: string | Buffer;
  readonly headers?: Record<string, string>;
}

/**
 * One request over a real socket. (Fastify's inject needs light-my-request, which requires an
 * ES module that jest's ESM mode cannot load on Node 20.)
 */
export async function call(target: { readonly url: string }, method: string, path: string, o: CallOptions = {}): Promise<Injected> {
  const headers: Record<string, string> = { ...o.headers };
  if (o.token) headers['authorization'] = `Bearer ${o.token}`;
  const payload = o.raw ?? (o.body === undefined ? undefined : JSON.stringify(o.body));
  if (payload !== undefined) headers['content-type'] ??= 'application/json';
  const res = await fetch(`${target.url}${path}`, { method, headers, ...(payload === undefined ? {} : { body: payload }) });
  const text = await res.text();
  let body: Record<string, unknown> = {};
  try {
    body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
  } catch {
    // HTML and Prometheus text stay in `text`
  }
  return { status: res.status, headers: Object.fromEntries(res.headers.entries()), body, text };
}
