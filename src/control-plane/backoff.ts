// Server-sent intervals and local backoff, clamped as the SDK does (control-plane.md §4.2, §4.5, §11).

const SECOND_MS = 1000;
const MAX_POLL_MS = 5 * 60 * SECOND_MS;
/** The heartbeat interval when the server sets none (control-plane.md §4.5). */
export const DEFAULT_HEARTBEAT_MS = 30 * SECOND_MS;
const MIN_HEARTBEAT_MS = SECOND_MS;
const MAX_HEARTBEAT_MS = 5 * 60 * SECOND_MS;
const MAX_GET_TASK_BACKOFF_MS = 60 * SECOND_MS;
const MAX_HELLO_BACKOFF_MS = 5 * 60 * SECOND_MS;

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));

/** GetTask's next_poll: missing, zero or negative means poll again at once; at most 5 minutes. */
export const clampNextPollMs = (nextPollMs: number | undefined): number =>
  Number.isFinite(nextPollMs) ? clamp(nextPollMs as number, 0, MAX_POLL_MS) : 0;

/** Heartbeat's next_heartbeat: 0 (unset) means 30 s, anything else is clamped to [1 s, 5 min]. */
export const heartbeatIntervalMs = (nextHeartbeatMs: number | undefined): number =>
  !nextHeartbeatMs || !Number.isFinite(nextHeartbeatMs)
    ? DEFAULT_HEARTBEAT_MS
    : clamp(nextHeartbeatMs, MIN_HEARTBEAT_MS, MAX_HEARTBEAT_MS);

/** Wait after the n-th consecutive GetTask failure (n ≥ 1): n² seconds, at most 60 s. */
export const getTaskBackoffMs = (errCount: number): number =>
  Math.min(Math.max(errCount, 0) ** 2 * SECOND_MS, MAX_GET_TASK_BACKOFF_MS);

/** Wait before attempt n+1 after n failures (n ≥ 1): 1 s doubling, at most `maxMs`, no jitter. */
export const doublingBackoffMs = (failures: number, maxMs: number): number =>
  Math.min(SECOND_MS * 2 ** Math.max(failures - 1, 0), maxMs);

/** Wait before startup Hello attempt n+1 after n failures (n ≥ 1): 1 s doubling, at most 5 min. */
export const helloBackoffMs = (failures: number): number => doublingBackoffMs(failures, MAX_HELLO_BACKOFF_MS);
