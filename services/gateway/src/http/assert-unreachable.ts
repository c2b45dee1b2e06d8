/** The default branch of an exhaustive switch: a new union member fails to compile here. */
export function assertUnreachable(value: never): never {
  throw new Error(`Unhandled case: ${JSON.stringify(value)}`);
}
