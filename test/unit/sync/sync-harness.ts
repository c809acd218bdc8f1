import { pino, type Logger } from 'pino';
import { ConnectorRegistry, type Connector, type SyncStore } from '../../../src/connector/index.js';
import {
  runSync,
  type RunSyncArgs,
  type SyncProgressEvent,
  type SyncSummary,
} from '../../../src/sync/index.js';
import { MemorySyncStore } from '../../fakes/memory-store.js';

export interface LogLine {
  readonly level: number;
  readonly msg: string;
  readonly [k: string]: unknown;
}

export const LEVEL = { debug: 20, info: 30, warn: 40, error: 50 } as const;

/** A pino logger at debug level whose lines are parsed into `lines`. */
export function logSink(): { log: Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const stream = { write: (line: string) => void lines.push(JSON.parse(line) as LogLine) };
  return { log: pino({ level: 'debug' }, stream), lines };
}

export interface SyncRun<S extends SyncStore = MemorySyncStore> {
  readonly store: S;
  readonly summary: SyncSummary;
  readonly lines: LogLine[];
  readonly events: SyncProgressEvent[];
}

/** Syncs a connector into a fresh memory store with a log sink and recorded progress. */
export async function syncInto<S extends SyncStore = MemorySyncStore>(
  connector: Connector,
  extra: Partial<Omit<RunSyncArgs, 'registry' | 'store' | 'log' | 'progress'>> = {},
  store: S = new MemorySyncStore() as unknown as S,
): Promise<SyncRun<S>> {
  const { log, lines } = logSink();
  const events: SyncProgressEvent[] = [];
  const summary = await runSync({
    registry: new ConnectorRegistry(connector),
    store,
    log,
    signal: extra.signal ?? new AbortController().signal,
    progress: (e) => events.push(e),
    ...extra,
  });
  return { store, summary, lines, events };
}

/** Runs a sync expected to fail and returns the error with the store and logs. */
export async function syncError(
  connector: Connector,
  extra: Partial<Omit<RunSyncArgs, 'registry' | 'store' | 'log'>> = {},
): Promise<{ err: unknown; store: MemorySyncStore; lines: LogLine[] }> {
  const store = new MemorySyncStore();
  const { log, lines } = logSink();
  try {
    await runSync({
      registry: new ConnectorRegistry(connector),
      store,
      log,
      signal: extra.signal ?? new AbortController().signal,
      ...extra,
    });
  } catch (err) {
    return { err, store, lines };
  }
  throw new Error('expected the sync to fail');
}
