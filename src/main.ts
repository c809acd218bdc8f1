#!/usr/bin/env node
import { runCli } from './cli/run-cli.js';
import { failUnsettledExit } from './cli/unsettled-exit.js';
import { routeProcessWarnings } from './ops/log.js';

// The composition root's process glue: signals become one AbortSignal, output goes to the real streams.
class ShutdownRequested extends Error {
  override readonly name = 'ShutdownRequested';
}

// grpc-js reads only the lower-case proxy variables for the channel to ConductorOne; give it the upper-case ones
// too, so one HTTPS_PROXY / NO_PROXY covers every outbound connection as it does for the Go SDK.
for (const name of ['https_proxy', 'no_proxy'] as const) {
  const upper = process.env[name.toUpperCase()];
  if (upper && !process.env[name]) process.env[name] = upper;
}

const shutdown = new AbortController();
const forcedExitHooks = new Set<(signal: string) => void>();
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (!shutdown.signal.aborted) {
      shutdown.abort(new ShutdownRequested(`received ${signal}`));
      return;
    }
    // A second signal means "now": the hooks log it and remove temp files, as nothing else will run.
    if (forcedExitHooks.size === 0) process.stderr.write(`baton-fivetran: second ${signal}, exiting now\n`);
    for (const hook of forcedExitHooks) {
      try {
        hook(signal);
      } catch {
        // exiting anyway
      }
    }
    process.exit(130);
  });
}

// No top-level await: the single-executable build bundles this file as CommonJS, which has none.
const command = runCli(
  process.argv.slice(2),
  {
    env: process.env,
    isTTY: Boolean(process.stderr.isTTY),
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    onLogger: (log) => routeProcessWarnings(process, log),
    onForcedExit: (hook) => {
      forcedExitHooks.add(hook);
      return () => forcedExitHooks.delete(hook);
    },
  },
  shutdown.signal,
);
const unsettled = failUnsettledExit(process, command, (t) => process.stderr.write(t));

// Output piped into `head` and closed early is not an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') {
    unsettled.exitingOnPurpose();
    process.exit(process.exitCode ?? 0);
  }
  throw err;
});

void command.then((code) => {
  process.exitCode = code;
});
