/** The peer sent bytes that are not NestJS TCP frames; the connection cannot be trusted any more. */
export class FrameError extends Error {
  override readonly name = 'FrameError';
}
