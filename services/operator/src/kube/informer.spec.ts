import { describe, expect, it } from '@jest/globals';
import { Watch } from '@kubernetes/client-node';

describe('client-node Watch (pinned 2.0.1)', () => {
  it('still has the private inactivity timeout the informer stretches into its silence detector', () => {
    // If a bump renames it, healthy watches die after 30 s again: revisit silenceAwareWatch.
    const internals = new Watch({} as never) as unknown as { requestTimeoutMs?: unknown };
    expect(internals.requestTimeoutMs).toBe(30_000);
  });
});
