import { describe, expect, it } from '@jest/globals';
import { RetryBudget } from './retry-budget.js';

describe('RetryBudget', () => {
  it('allows about ratio × requests retries when there is no per-second minimum', () => {
    const budget = new RetryBudget({ ratio: 0.2, minPerSecond: 0, maxTokens: 100, now: () => 0 });
    let retries = 0;
    for (let i = 0; i < 1000; i += 1) {
      budget.deposit();
      if (budget.tryWithdraw()) retries += 1;
    }
    expect(retries).toBeGreaterThanOrEqual(199);
    expect(retries).toBeLessThanOrEqual(200);
  });

  it('refills the per-second minimum over time, up to the cap', () => {
    let now = 0;
    const budget = new RetryBudget({ ratio: 0.2, minPerSecond: 10, maxTokens: 15, now: () => now });
    expect(budget.balance).toBe(10);
    for (let i = 0; i < 10; i += 1) expect(budget.tryWithdraw()).toBe(true);
    expect(budget.tryWithdraw()).toBe(false);
    now += 500;
    expect(budget.balance).toBeCloseTo(5);
    now += 60_000;
    expect(budget.balance).toBe(15);
  });
});
