import type { Logger } from 'pino';

/** What the CLI reads and writes, injected so tests and main.ts share one code path. */
export interface CliIo {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly isTTY: boolean;
  stdout(text: string): void;
  stderr(text: string): void;
  /** Called once the logger exists; main.ts routes process warnings through it. */
  onLogger?(log: Logger): void;
  /**
   * Registers `fn` to run (synchronously) when a second SIGTERM/SIGINT forces the exit; returns the
   * unregister function. main.ts provides it; without it nothing runs at a forced exit.
   */
  onForcedExit?(fn: (signal: string) => void): () => void;
}

/** A wrong command line: printed as one line, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
