import { afterAll, describe, expect, it } from '@jest/globals';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../services/gateway/test/support/stack.js';

/**
 * What a newcomer does: `make run`, then the smoke test against it, then Ctrl-C.
 * Ports and the data directory are moved so the test never meets a developer's copy.
 */
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
let run: ChildProcess | undefined;
let output = '';
let dataDir = '';

afterAll(async () => {
  try {
    if (run?.pid) process.kill(-run.pid, 'SIGKILL');
  } catch {
    // the group has already ended
  }
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

function waitFor(predicate: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolveWait, reject) => {
    const tick = () => {
      if (predicate()) return resolveWait();
      if (Date.now() > deadline) return reject(new Error(`${what} within ${timeoutMs} ms; output:\n${output.slice(-3000)}`));
      setTimeout(tick, 200);
    };
    tick();
  });
}

describe('make run', () => {
  it('serves the API that the smoke test walks through, and Ctrl-C drains and stops all three services', async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'northstar-make-run-'));
    const port = await freePort();
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      PORT: String(port),
      MS_ONE_PORT: String(await freePort()),
      MS_TWO_PORT: String(await freePort()),
      ROADMAP_HEALTH_PORT: String(await freePort()),
      IDENTITY_HEALTH_PORT: String(await freePort()),
      NORTHSTAR_DATA_DIR: dataDir,
    };
    delete env['NODE_OPTIONS'];
    // A process group of its own, so Ctrl-C can be delivered the way a terminal does.
    run = spawn('make', ['--no-print-directory', 'run'], { cwd: ROOT, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    run.stdout?.on('data', (c: Buffer) => (output += c.toString()));
    run.stderr?.on('data', (c: Buffer) => (output += c.toString()));
    // 'close' fires once every process holding make's output pipes (the services too) has ended.
    const exited = new Promise<string>((r) => run!.once('close', (code, signal) => r(signal ?? `exit ${code}`)));

    await waitFor(() => output.includes('Northstar is up'), 120_000, 'make run was not up');
    expect(output).toContain(`Swagger UI http://localhost:${port}/api`);

    const smoke = spawn(process.execPath, [join(ROOT, 'infra/smoke/dist/smoke.js')], { env: { ...env, BASE_URL: `http://127.0.0.1:${port}` } });
    let report = '';
    smoke.stdout.on('data', (c: Buffer) => (report += c.toString()));
    const smokeCode = await new Promise<number | null>((r) => smoke.once('exit', (code) => r(code)));
    expect(report).toMatch(/smoke: 12 passed, 0 failed/);
    expect(smokeCode).toBe(0);

    process.kill(-run.pid!, 'SIGINT');
    let timer: NodeJS.Timeout | undefined;
    const ended = await Promise.race([exited, new Promise<string>((r) => (timer = setTimeout(() => r('still running'), 15_000)))]);
    clearTimeout(timer);
    // make itself dies of the SIGINT, as at a terminal; what matters is that each service drained and exited.
    expect(['SIGINT', 'exit 0', 'exit 2']).toContain(ended);
    expect(output.match(/shutdown complete/g)?.length).toBe(3);
    expect(output).not.toMatch(/"level":"(error|fatal)"/);
  }, 240_000);
});
