import autocannon from 'autocannon';
import { LatencyRecorder, errorText, type LoadResult } from './stats.js';

export interface HttpLoad {
  readonly url: string;
  readonly method?: 'GET' | 'POST';
  readonly headers?: Record<string, string>;
  readonly body?: string;
  readonly connections: number;
  /** Requests per second over all connections; unset = as fast as the server answers. */
  readonly overallRate?: number;
}

/**
 * One autocannon run. Latencies come from its per-response event (sub-millisecond, from
 * the request's send time) rather than its histogram, which keeps whole milliseconds only:
 * too coarse for a 2 ms target, and TCP rows are measured the same way.
 */
export async function runHttp(load: HttpLoad, seconds: number): Promise<LoadResult> {
  const recorder = new LatencyRecorder();
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: load.url,
        method: load.method ?? 'GET',
        headers: load.headers ?? {},
        ...(load.body !== undefined ? { body: load.body } : {}),
        connections: load.connections,
        pipelining: 1,
        duration: seconds,
        timeout: 10,
        ...(load.overallRate !== undefined ? { overallRate: load.overallRate } : {}),
      },
      (error: unknown, res: autocannon.Result) => (error ? reject(error instanceof Error ? error : new Error(errorText(error))) : resolve(res)),
    );
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      if (statusCode >= 200 && statusCode < 300) recorder.record(responseTime);
      else recorder.fail(`HTTP ${statusCode}`);
    });
    instance.on('reqError', (error: unknown) => recorder.fail(errorText(error)));
  });
  // autocannon's own duration, not the requested one: it stops a little late.
  return recorder.result(result.duration);
}

/** Warm-up then measurement: the first run's numbers are dropped. */
export async function measureHttp(load: HttpLoad, warmupSeconds: number, seconds: number): Promise<LoadResult> {
  if (warmupSeconds > 0) await runHttp(load, warmupSeconds);
  return runHttp(load, seconds);
}
