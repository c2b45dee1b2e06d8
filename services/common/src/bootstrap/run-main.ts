import { ConfigError } from '../config/index.js';

/**
 * Runs a service's `main` and turns a failed start into one readable line on stderr and
 * exit code 1: a ConfigError lists every bad variable (never a secret's value); anything
 * else prints its stack, since no logger may exist yet.
 */
export function runMain(service: string, main: () => Promise<void>): void {
  main().catch((error: unknown) => {
    if (error instanceof ConfigError) process.stderr.write(`${service}: ${error.message}\n`);
    else process.stderr.write(`${service}: failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  });
}
