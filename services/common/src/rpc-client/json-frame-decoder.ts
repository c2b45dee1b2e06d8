import { StringDecoder } from 'node:string_decoder';
import { FrameError } from './frame.error.js';

const DELIMITER = '#';
const LENGTH = /^\d{1,16}$/;

/**
 * Frames of the NestJS TCP transport: `<length>#<json>`, where length counts UTF-16 code units
 * of the JSON text (what `String#length` returns), not bytes.
 */
export function encodeFrame(json: string): string {
  return `${json.length}${DELIMITER}${json}`;
}

/** Turns a byte stream of frames back into parsed messages. */
export class JsonFrameDecoder {
  private readonly decoder = new StringDecoder('utf8');
  private buffer = '';
  private contentLength: number | undefined;

  constructor(private readonly maxMessageLength: number) {}

  /** Returns every message completed by `chunk`; throws `FrameError` on a corrupt or oversized frame. */
  push(chunk: Buffer): unknown[] {
    this.buffer += this.decoder.write(chunk);
    const messages: unknown[] = [];
    // Frames are read at a cursor and the rest is cut off once: one slice per chunk, not two per frame.
    let at = 0;
    for (;;) {
      if (this.contentLength === undefined) {
        const i = this.buffer.indexOf(DELIMITER, at);
        if (i === -1) {
          if (this.buffer.length - at > 20) throw new FrameError('Frame length prefix is missing its delimiter');
          break;
        }
        const raw = this.buffer.slice(at, i);
        if (!LENGTH.test(raw)) throw new FrameError(`Corrupt frame length "${raw.slice(0, 20)}"`);
        const length = Number(raw);
        if (length > this.maxMessageLength) {
          throw new FrameError(`Frame of ${length} characters exceeds the limit of ${this.maxMessageLength}`);
        }
        this.contentLength = length;
        at = i + 1;
      }
      if (this.buffer.length - at < this.contentLength) break;
      const json = this.buffer.slice(at, at + this.contentLength);
      at += this.contentLength;
      this.contentLength = undefined;
      try {
        messages.push(JSON.parse(json));
      } catch (err) {
        throw new FrameError('Frame is not valid JSON', { cause: err });
      }
    }
    if (at > 0) this.buffer = this.buffer.slice(at);
    return messages;
  }
}
