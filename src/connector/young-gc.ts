import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

type GcFunction = (options: { type: 'minor'; execution: 'sync' }) => void;

let gcFunction: GcFunction | null | undefined;

/**
 * V8's `gc` function without `--expose-gc` on the command line: the flag is turned on just long enough for
 * a new context to get the function (a context gets it when it is created), then turned off again, so the
 * application's own globals never see it. Null when this V8 refuses.
 */
function obtainGc(): GcFunction | null {
  const exposed = (globalThis as { gc?: unknown }).gc;
  if (typeof exposed === 'function') return exposed as GcFunction;
  try {
    setFlagsFromString('--expose-gc');
    const fn: unknown = runInNewContext('gc');
    return typeof fn === 'function' ? (fn as GcFunction) : null;
  } catch {
    return null;
  } finally {
    setFlagsFromString('--no-expose-gc');
  }
}

/**
 * Runs a minor GC (a scavenge of the young generation) now; a no-op when V8 gives no `gc` function.
 *
 * For code that turns over large off-heap buffers faster than V8 notices: a Buffer's bytes live outside the
 * JS heap, so dropping one adds nothing to the young generation that would trigger a scavenge, and V8 only
 * collects for external memory after about 64 MiB of it. A scavenge of young buffers that are already
 * garbage frees their bytes right away and costs well under a millisecond when little is live.
 */
export function collectYoungGarbage(): void {
  if (gcFunction === undefined) gcFunction = obtainGc();
  gcFunction?.({ type: 'minor', execution: 'sync' });
}
