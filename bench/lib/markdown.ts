export interface MarkdownInput {
  readonly date: string;
  readonly gitSha: string;
  readonly uncommittedChanges: boolean;
  readonly command: string;
  readonly engine: string;
  readonly node: string;
  readonly cpus: number;
  readonly settings: string;
  readonly loadAverageAtStart: number[];
  readonly loadAverageAtEnd: number[];
  readonly main: string;
  readonly startup: string;
  readonly verdicts: string;
}

/** bench/results/latest.md: the tables of one run, and what is needed to read them. */
export function markdown(m: MarkdownInput): string {
  const load = (l: number[]) => l.map((x) => x.toFixed(1)).join(' / ');
  return `# Benchmark results

Taken ${m.date} at \`${m.gitSha}\`${m.uncommittedChanges ? ' (with other engineers\' uncommitted changes in the checkout)' : ''} with

    ${m.command}

${m.settings}; database engine **${m.engine}**; Node ${m.node}; ${m.cpus} CPUs.

**Taken on ${m.cpus} cores shared by everything the bench runs** (load average ${load(m.loadAverageAtStart)} at the
start, ${load(m.loadAverageAtEnd)} at the end; the bench itself keeps it near 2, so a higher figure at the start means
other work was running). The load generator, the three services, PostgreSQL, the comparison servers and the test
harness draining the services' logs all compete for those cores, so absolute numbers are low and a single 3 s window
moves by ±10%: compare rows of this one run with each other, not with other machines.

## Throughput and latency

All rows come from this one run. req/s counts successful responses only; p50/p99 are per-request latencies from
send to response, measured the same way for HTTP (autocannon's per-response timing, not its whole-millisecond
histogram) and for TCP (our own loop). "÷ baseline" divides by the seed-style Express gateway on the same route and
size (TCP rows: by Nest's ClientProxy doing the same call at the same number in flight); "÷ ceiling" by raw
\`node:http\` serving the same bytes (HTTP rows) or by a raw-socket round trip of the same sizes (TCP rows).

${m.main}

## Start-up and memory

Time-to-ready is spawn → \`/health/ready\` 200, polled every 100 ms by the test harness (so ±0.1 s); the services
start one at a time. "fresh data" is a new PGlite data directory (PostgreSQL: a new database); "restart" starts
the same service again on the data it left. Idle RSS is \`VmRSS\` from \`/proc/<pid>/status\`, 2 s after all
three are ready; right after a fresh PGlite start it still holds the memory of initdb.

${m.startup}

## Targets

${m.verdicts}

## How to read this

- **Adapters.** Our gateway runs on Fastify only. The seed gateway is measured on Express (the article's choice:
  the baseline) and on Fastify with identical code and no features, which isolates the adapter at an equal
  feature set. The northstar gateway rows add, on top of Fastify: JWT verification, validation, rate limiting,
  request logging, metrics, helmet, request ids, and the pool (timeouts, breaker, retries).
- **Seed gateway.** NestJS, one \`ClientProxy\` socket to roadmap, controllers returning the Observable, a fixed
  caller in the envelope (\`envelope()\` of contracts), no auth, validation or logging. Its POST sends
  \`createItem\` only; ours also takes the organization's plan, which identity answers at most once per
  \`PLAN_CACHE_TTL_MS\` (5 s) per organization and gateway replica, and sends the plan's allowance with the create.
- **Direct TCP.** Each client holds one socket to one server, and each scenario gets a new client (a breaker
  opened by one scenario cannot leak into the next). The raw-socket round trip echoes length-prefixed frames
  sized like Nest's findOneItem request and reply, with no JSON at all. "bare NestJS TCP" is a Nest microservice
  with one echo handler and nothing else: the transport's own price. roadmap's \`ping\` adds our per-message
  work (interceptor, validation pipe, metrics, a log line) without the database; \`findOneItem\` adds a
  primary-key read.
- **Payload sweep.** Item descriptions are capped at 10,000 characters, so large payloads go through responses:
  \`GET /items?status=planned&limit=N\` over 100 items with 10,000-character descriptions (≈10 KiB, ≈100 KiB,
  ≈1 MiB), and an empty page for the small end. The ceiling serves the identical bytes the gateway returned; the
  raw socket replies with as many bytes as Nest's reply frame; the pool sends \`findAllItems\` with the same query.
  Request bodies are swept only as far as the API accepts them (the main POST row, and a 10,000-character
  description). The sweep runs at fewer connections than the main rows (see the settings above), so that 1 MiB
  replies measure payload cost rather than overload: in a trial run at 32 connections the 1 MiB page outran the
  gateway's 3 s call timeout on this machine, its breaker answered 503, and the seed gateway answered 500s.
- **Hop.** What the gateway adds to a call is read in the same window: the gateway GET at half of the rate it
  reached above while direct calls (a new RpcClientPool, findOneItem) go out at a quarter of that rate at the
  same time; the target is judged on those two rows, round by round. Measured one after the other, each path met
  its own stalls: on these 2 shared cores a pause of 30–100 ms (e.g. an idle service's major GC while the others
  are busy) sets a 3 s window's p99 by itself, and it hit whichever path was running. Both run in the same
  timer-paced open loop (calls start on a ~1 ms timer whether or not earlier ones returned; latency from each
  call's send), the gateway through a minimal keep-alive HTTP/1.1 client on raw sockets
  (\`bench/lib/raw-http.ts\`; \`node:http\`'s client took about twice the load generator's CPU per request, from the
  same two cores the services under test run on) with up to four times the main rows' connections: the direct
  call multiplexes one socket, and with only as many sockets as the main rows, requests due during a stall
  queued in the load generator for a free one. Another row runs the direct call alone
  at half of its own, higher maximum, for reference.
  autocannon's \`overallRate\` is not used here: it lets each connection send its quota for the second back to
  back and then wait for the next second, a burst at full speed rather than half load.
- **Direct NestJS TCP.** The bare Nest echo server is measured with two clients: Nest's ClientProxy and our
  RpcClientPool (the gateway's client). The target is judged with the pool, since that is the direct TCP call the
  system makes; the ClientProxy rows show how much of the gap is Nest's client rather than its server.
- **CPU column.** utime + stime from \`/proc/<pid>/stat\` over the scenario (warm-up included), in % of one core,
  for every process the bench runs: it shows which process saturates. "harness (log reader)" is the test
  harness the services run under; it drains their logs without parsing them, as a container runtime would
  (parsing every line took ~5% of a core at 3,500 req/s); "load generator" is the bench process itself.
`;
}
