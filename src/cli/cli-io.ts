/** What the CLI reads and writes, injected so tests and main.ts share one code path. */
export interface CliIo {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly isTTY: boolean;
  stdout(text: string): void;
  stderr(text: string): void;
}

/** A wrong command line: printed as one line, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
