#!/usr/bin/env bash
# Runs jest (ESM mode) and fails the run when jest had to force a worker to exit or could not exit itself:
# a test leaked a handle (timer, socket, server, child process). Find it with `--detectOpenHandles`.
set -uo pipefail
log=$(mktemp)
trap 'rm -f "$log"' EXIT
NODE_OPTIONS='--experimental-vm-modules --no-warnings=ExperimentalWarning' jest "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
if grep -qE 'A worker process has failed to exit gracefully|Jest did not exit one second after' "$log"; then
  echo 'run-jest: a test leaked a handle (see above); run the suspect files with --detectOpenHandles' >&2
  exit 1
fi
exit "$status"
