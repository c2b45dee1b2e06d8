import { createLocalJWKSet, errors, type FlattenedJWSInput, type JSONWebKeySet, type JWSHeaderParameters } from 'jose';
import type { Logger } from '@northstar/common';

type KeyResolver = ReturnType<typeof createLocalJWKSet>;
type ResolvedKey = Awaited<ReturnType<KeyResolver>>;

export interface JwksKeyStoreOptions {
  /** Fetches identity's public keys (over TCP, `{cmd:'jwks'}`). */
  readonly fetch: () => Promise<JSONWebKeySet>;
  /** How long fetched keys are used before they are fetched again. */
  readonly ttlMs: number;
  /** Least time between two fetches caused by an unknown key id. */
  readonly minRefetchMs: number;
  readonly logger: Logger;
  readonly now?: () => number;
}

/**
 * Identity's signing keys, verified against locally. A token signed with a key we do not
 * know yet (identity rotated) causes one fetch, shared by every request waiting on it and
 * rate-limited, so tokens with made-up key ids cannot turn into a flood of fetches.
 */
export class JwksKeyStore {
  private resolver: KeyResolver | undefined;
  private fetchedAt = Number.NEGATIVE_INFINITY;
  private lastAttemptAt = Number.NEGATIVE_INFINITY;
  private inflight: Promise<void> | undefined;
  private readonly now: () => number;

  constructor(private readonly options: JwksKeyStoreOptions) {
    this.now = options.now ?? Date.now;
  }

  /** jose's key lookup (`JWTVerifyGetKey`). */
  readonly getKey = async (header: JWSHeaderParameters, token: FlattenedJWSInput): Promise<ResolvedKey> => {
    const resolver = await this.current();
    try {
      return await resolver(header, token);
    } catch (error) {
      if (!(error instanceof errors.JWKSNoMatchingKey)) throw error;
      // Join a fetch already under way; start one only if the last was long enough ago.
      if (!this.inflight && this.now() - this.lastAttemptAt < this.options.minRefetchMs) throw error;
      await this.refresh();
      return (await this.current())(header, token);
    }
  };

  /**
   * Keys past their TTL keep verifying while fresh ones load in the background: requests
   * never wait on a routine refresh, and an identity outage does not fail (or slow) them.
   */
  private async current(): Promise<KeyResolver> {
    if (!this.resolver) {
      await this.refresh();
      if (!this.resolver) throw new Error('JWKS unavailable');
      return this.resolver;
    }
    const now = this.now();
    if (now - this.fetchedAt >= this.options.ttlMs && !this.inflight && now - this.lastAttemptAt >= this.options.minRefetchMs) {
      this.refresh().catch((error: unknown) => this.options.logger.warn({ err: error }, 'JWKS refresh failed; verifying with the previous keys'));
    }
    return this.resolver;
  }

  private refresh(): Promise<void> {
    this.inflight ??= this.load().finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  }

  private async load(): Promise<void> {
    this.lastAttemptAt = this.now();
    const jwks = await this.options.fetch();
    if (!Array.isArray(jwks?.keys)) throw new Error('identity answered jwks without a keys array');
    this.resolver = createLocalJWKSet(jwks);
    this.fetchedAt = this.now();
    this.options.logger.info({ keys: jwks.keys.map((k) => k.kid ?? null) }, 'JWKS loaded');
  }
}
