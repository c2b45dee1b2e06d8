import { isIdempotent } from '@northstar/contracts';

/** A message or event pattern: a string or an object such as `{ cmd: 'findOneItem' }`. */
export type RpcPattern = string | object;

const escape = (s: string): string => s.replace(/\\/g, '\\\\').replace(/"/g, '\\"');

/**
 * The route string a NestJS server looks handlers up by: JSON-like, keys sorted with
 * `localeCompare`. Mirrors `transformPatternToRoute` of @nestjs/microservices 12, so the
 * server's own normalization of what we send is a no-op.
 */
export function patternToRoute(pattern: RpcPattern): string {
  if (typeof pattern !== 'object' || pattern === null) return toRoute(pattern);
  // Patterns are constants (contracts' *_PATTERNS): each object is turned into its route once.
  let route = routes.get(pattern);
  if (route === undefined) {
    route = toRoute(pattern);
    routes.set(pattern, route);
  }
  return route;
}

const routes = new WeakMap<object, string>();

function toRoute(value: unknown): string {
  if (typeof value === 'string' || typeof value === 'number') return `${value}`;
  if (typeof value !== 'object' || value === null) return String(value);
  const record = value as Record<string, unknown>;
  const parts = Object.keys(record)
    .sort((a, b) => a.localeCompare(b))
    .map((key) => {
      const v = record[key];
      return `"${escape(key)}":${typeof v === 'string' ? `"${escape(v)}"` : toRoute(v)}`;
    });
  return `{${parts.join(',')}}`;
}

/** Default idempotency rule: the contracts' list of `cmd` patterns that change nothing. */
export function isIdempotentPattern(pattern: RpcPattern): boolean {
  if (typeof pattern !== 'object' || pattern === null || !('cmd' in pattern)) return false;
  const { cmd } = pattern;
  return typeof cmd === 'string' && isIdempotent({ cmd });
}
