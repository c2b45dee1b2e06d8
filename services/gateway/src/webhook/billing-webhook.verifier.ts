import { DomainError } from '@northstar/contracts';
import { assertUnreachable } from '../http/assert-unreachable.js';
import { ReplayCache } from './replay-cache.js';
import { verifySignature, type SignatureVerdict } from './webhook-signature.js';

export interface BillingWebhookVerifierOptions {
  readonly secret: string;
  readonly toleranceSeconds: number;
  /** @default 100_000 */
  readonly maxRememberedSignatures?: number;
  /** Milliseconds since the epoch. @default Date.now */
  readonly now?: () => number;
}

/**
 * Admits each correctly signed, fresh webhook delivery once per gateway process. Replicas do
 * not share the cache; identity dedupes by event id behind them (docs/adr/0006-webhook-replay.md).
 */
export class BillingWebhookVerifier {
  private readonly replays: ReplayCache;
  private readonly now: () => number;

  constructor(private readonly options: BillingWebhookVerifierOptions) {
    this.now = options.now ?? Date.now;
    this.replays = new ReplayCache(options.maxRememberedSignatures ?? 100_000, this.now);
  }

  /** Returns the claimed signature; `release` it if the event could not be delivered. */
  admit(header: string | string[] | undefined, rawBody: Buffer | undefined): string {
    const verdict = verifySignature({
      header,
      rawBody: rawBody ?? Buffer.alloc(0),
      secret: this.options.secret,
      toleranceSeconds: this.options.toleranceSeconds,
      now: Math.floor(this.now() / 1000),
    });
    if (!verdict.ok) throw refusal(verdict.reason);
    const expiresAt = (verdict.timestamp + this.options.toleranceSeconds) * 1000;
    if (!this.replays.claim(verdict.signature, expiresAt)) throw new DomainError('REPLAYED_EVENT', 'This delivery was already received');
    return verdict.signature;
  }

  release(signature: string): void {
    this.replays.release(signature);
  }
}

function refusal(reason: Extract<SignatureVerdict, { ok: false }>['reason']): DomainError {
  switch (reason) {
    case 'missing':
      return new DomainError('BAD_REQUEST', 'Missing signature header');
    case 'malformed':
      return new DomainError('BAD_REQUEST', 'Malformed signature header; expected t=<unix>,v1=<hex>');
    case 'mismatch':
      return new DomainError('INVALID_SIGNATURE', 'Signature does not match');
    case 'stale':
      return new DomainError('INVALID_SIGNATURE', 'Signature timestamp is outside the tolerance');
    default:
      return assertUnreachable(reason);
  }
}
