import { createHmac, timingSafeEqual } from 'node:crypto';

export type SignatureVerdict =
  | { readonly ok: true; readonly timestamp: number; readonly signature: string }
  | { readonly ok: false; readonly reason: 'missing' | 'malformed' | 'stale' | 'mismatch' };

export interface VerifySignatureInput {
  /** The signature header: `t=<unix seconds>,v1=<hex HMAC-SHA256>` (several v1 allowed while a secret rotates). */
  readonly header: string | string[] | undefined;
  readonly rawBody: Buffer;
  readonly secret: string;
  readonly toleranceSeconds: number;
  /** Unix seconds. */
  readonly now: number;
}

const HEX_SHA256 = /^[0-9a-f]{64}$/;
const UNIX_SECONDS = /^\d{1,12}$/;

export function signPayload(secret: string, timestamp: number, rawBody: Buffer): string {
  return createHmac('sha256', secret).update(`${timestamp}.`).update(rawBody).digest('hex');
}

export function parseSignatureHeader(header: string): { timestamp: number; signatures: string[] } | undefined {
  let timestamp: number | undefined;
  const signatures: string[] = [];
  for (const part of header.split(',')) {
    const eq = part.indexOf('=');
    if (eq <= 0) return undefined;
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (key === 't') {
      if (timestamp !== undefined || !UNIX_SECONDS.test(value)) return undefined;
      timestamp = Number(value);
    } else if (key === 'v1') {
      if (!HEX_SHA256.test(value)) return undefined;
      signatures.push(value);
    }
  }
  if (timestamp === undefined || signatures.length === 0) return undefined;
  return { timestamp, signatures };
}

/** HMAC-SHA256 over `"<t>.<raw body>"`, compared in constant time; the timestamp bounds replays in time. */
export function verifySignature(input: VerifySignatureInput): SignatureVerdict {
  const { header } = input;
  if (header === undefined || header === '') return { ok: false, reason: 'missing' };
  if (typeof header !== 'string') return { ok: false, reason: 'malformed' };
  const parsed = parseSignatureHeader(header);
  if (!parsed) return { ok: false, reason: 'malformed' };

  const expected = Buffer.from(signPayload(input.secret, parsed.timestamp, input.rawBody), 'hex');
  const match = parsed.signatures.find((candidate) => timingSafeEqual(Buffer.from(candidate, 'hex'), expected));
  if (!match) return { ok: false, reason: 'mismatch' };
  // Checked after the HMAC so that a stale verdict is only ever given for our own signatures.
  if (Math.abs(input.now - parsed.timestamp) > input.toleranceSeconds) return { ok: false, reason: 'stale' };
  return { ok: true, timestamp: parsed.timestamp, signature: match };
}
