import { describe, expect, it } from '@jest/globals';
import { WorkQueue } from './work-queue.js';

const tick = (ms = 10): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('WorkQueue', () => {
  it('runs a key added many times while waiting once', async () => {
    const seen: string[] = [];
    const q = new WorkQueue(async (k) => void seen.push(k));
    q.add('a');
    q.add('a');
    q.add('b');
    q.add('a');
    q.start();
    await tick();
    await q.stop();
    expect(seen).toEqual(['a', 'b']);
  });

  it('never hands one key to two workers, and reruns a key added while it ran', async () => {
    let running = 0;
    let maxRunning = 0;
    let runs = 0;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const q = new WorkQueue(
      async () => {
        running += 1;
        maxRunning = Math.max(maxRunning, running);
        runs += 1;
        if (runs === 1) await gate;
        running -= 1;
      },
      { workers: 4 },
    );
    q.start();
    q.add('a');
    await tick();
    q.add('a');
    q.add('a');
    await tick();
    expect(runs).toBe(1);
    release();
    await tick();
    await q.stop();
    expect(runs).toBe(2);
    expect(maxRunning).toBe(1);
  });

  it('retries a failing key with backoff and reports each failure', async () => {
    const errors: string[] = [];
    let calls = 0;
    const q = new WorkQueue(
      async () => {
        calls += 1;
        if (calls < 3) throw new Error(`boom ${calls}`);
      },
      { retry: { baseMs: 5, maxMs: 20, jitter: 0 }, onError: (k, e) => errors.push(`${k}: ${(e as Error).message}`) },
    );
    q.start();
    q.add('x');
    await tick(100);
    await q.stop();
    expect(calls).toBe(3);
    expect(errors).toEqual(['x: boom 1', 'x: boom 2']);
  });

  it('addAfter delivers the key later, once however often it is asked', async () => {
    const seen: string[] = [];
    const q = new WorkQueue(async (k) => void seen.push(k));
    q.start();
    q.addAfter('late', 30);
    q.addAfter('late', 5);
    await tick(10);
    expect(seen).toEqual([]);
    await tick(60);
    await q.stop();
    expect(seen).toEqual(['late']);
  });
});
