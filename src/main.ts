#!/usr/bin/env node
import { runCli } from './cli/run-cli.js';

// The composition root's process glue: signals become one AbortSignal, output goes to the real streams.
class ShutdownRequested extends Error {
  override readonly name = 'ShutdownRequested';
}

const shutdown = new AbortController();
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (shutdown.signal.aborted) process.exit(130); // a second signal means "now"
    shutdown.abort(new ShutdownRequested(`received ${signal}`));
  });
}

// Output piped into `head` and closed early is not an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw err;
});

const code = await runCli(
  process.argv.slice(2),
  {
    env: process.env,
    isTTY: Boolean(process.stderr.isTTY),
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
  },
  shutdown.signal,
);
process.exitCode = code;
