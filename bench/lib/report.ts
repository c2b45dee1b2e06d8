import type { LoadResult } from './stats.js';

export type Group = 'http' | 'tcp' | 'sweep' | 'hop';

export interface Row {
  readonly id: string;
  readonly group: Group;
  readonly scenario: string;
  readonly route: string;
  /** Ids of the rows this one is divided by. */
  readonly baseline?: string;
  readonly ceiling?: string;
  readonly result: LoadResult;
  readonly note?: string;
  /** Every round of a repeated scenario, in run order; `result` is the median one. */
  readonly rounds?: readonly LoadResult[];
  /** CPU use of each process over the scenario (warm-up included), in % of one core. */
  readonly cpu?: Record<string, number>;
}

export interface StartupRow {
  readonly engine: string;
  readonly service: string;
  /** spawn → /health/ready 200, new data directory or database. */
  readonly readyFreshMs: number;
  /** The same service started again on the data it left. */
  readonly readyRestartMs: number | null;
  /** 2 s after the fresh start. */
  readonly idleRssMiB: number | null;
  /** 2 s after the restart (roadmap, identity) — without initdb's memory. */
  readonly idleRssRestartMiB: number | null;
  readonly afterLoadRssMiB: number | null;
}

export interface Verdict {
  readonly target: string;
  readonly met: boolean | null;
  readonly detail: string;
}

const fmtRate = (n: number): string => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '–');
const fmtMs = (n: number): string => (Number.isFinite(n) ? (n < 10 ? n.toFixed(2) : n.toFixed(1)) : '–');
const fmtRatio = (n: number | null): string => (n === null || !Number.isFinite(n) ? '–' : `${n.toFixed(2)}×`);

export function ratio(rows: ReadonlyMap<string, Row>, row: Row, ref: string | undefined): number | null {
  if (!ref) return null;
  const other = rows.get(ref);
  if (!other || other.result.rps <= 0) return null;
  return row.result.rps / other.result.rps;
}

/** A markdown table whose columns are padded, so it reads the same in a terminal. */
export function table(header: string[], body: string[][], rightAligned: ReadonlySet<number> = new Set()): string {
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    `| ${cells.map((c, i) => (rightAligned.has(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join(' | ')} |`;
  const rule = `|${widths.map((w, i) => (rightAligned.has(i) ? `${'-'.repeat(w + 1)}:` : '-'.repeat(w + 2))).join('|')}|`;
  return [line(header), rule, ...body.map(line)].join('\n');
}

export function resultsTable(rows: readonly Row[]): string {
  const byId = new Map(rows.map((r) => [r.id, r]));
  const body = rows.map((r) => {
    const failed = r.result.failed > 0 ? `${r.result.failed} failed (${r.result.failures.join('; ')})` : '';
    return [
      r.scenario,
      r.route,
      fmtRate(r.result.rps),
      fmtMs(r.result.p50),
      fmtMs(r.result.p99),
      fmtRatio(ratio(byId, r, r.baseline)),
      fmtRatio(ratio(byId, r, r.ceiling)),
      Object.entries(r.cpu ?? {})
        .filter(([, pct]) => pct >= 5)
        .sort((a, b) => b[1] - a[1])
        .map(([name, pct]) => `${name} ${Math.round(pct)}`)
        .join(', '),
      [r.note ?? '', failed].filter(Boolean).join('; '),
    ];
  });
  return table(['scenario', 'route / size', 'req/s', 'p50 ms', 'p99 ms', '÷ baseline', '÷ ceiling', 'CPU % ≥ 5 (of one core)', 'notes'], body, new Set([2, 3, 4, 5, 6]));
}

export function startupTable(rows: readonly StartupRow[]): string {
  const mib = (n: number | null) => (n === null ? '–' : n.toFixed(0));
  const s = (ms: number | null) => (ms === null ? '–' : (ms / 1000).toFixed(2));
  return table(
    ['engine', 'service', 'ready s (fresh data)', 'ready s (restart)', 'idle RSS MiB (fresh)', 'idle RSS MiB (restart)', 'RSS MiB after load'],
    rows.map((r) => [r.engine, r.service, s(r.readyFreshMs), s(r.readyRestartMs), mib(r.idleRssMiB), mib(r.idleRssRestartMiB), mib(r.afterLoadRssMiB)]),
    new Set([2, 3, 4, 5, 6]),
  );
}

export function verdictList(verdicts: readonly Verdict[]): string {
  return verdicts.map((v) => `- **${v.met === null ? 'inconclusive' : v.met ? 'met' : 'not met'}**: ${v.target}. ${v.detail}`).join('\n');
}
