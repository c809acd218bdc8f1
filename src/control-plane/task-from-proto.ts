import { invalidArgument } from '../connector/index.js';
import type { BatonTask, TaskKind } from './baton-service-client.js';

type Decoded = Record<string, unknown>;

const TASK_KINDS: ReadonlySet<string> = new Set<TaskKind>([
  'none',
  'hello',
  'syncFull',
  'grant',
  'revoke',
  'createAccount',
  'createResource',
  'deleteResource',
  'rotateCredentials',
  'eventFeed',
  'createTicketTask',
  'listTicketSchemas',
  'getTicket',
  'bulkCreateTickets',
  'bulkGetTickets',
  'actionListSchemas',
  'actionGetSchema',
  'actionInvoke',
  'actionStatus',
  'createSyncDiff',
  'compactSyncs',
  'listEventFeeds',
  'listEvents',
  'issueCredential',
]);

const TASK_ID = /^[a-zA-Z0-9]{27}$/;

/**
 * A decoded c1.connectorapi.baton.v1.Task as a BatonTask; undefined for an absent or `none` task.
 * Throws for a task whose id is not 27 alphanumerics: it could never be finished.
 */
export function taskFromProto(raw: unknown): BatonTask | undefined {
  if (raw === null || typeof raw !== 'object') return undefined;
  const t = raw as Decoded;
  const oneof = typeof t.taskType === 'string' ? t.taskType : undefined;
  if (oneof === 'none') return undefined;
  const kind: TaskKind = oneof !== undefined && TASK_KINDS.has(oneof) ? (oneof as TaskKind) : 'unknown';
  const payload = kind === 'unknown' ? {} : ((t[kind] as Decoded | null | undefined) ?? {});
  const id = typeof t.id === 'string' ? t.id : '';
  if (!TASK_ID.test(id)) {
    throw invalidArgument(`baton-fivetran: GetTask returned a ${oneof ?? 'task'} with an invalid task id`);
  }
  return {
    id,
    kind,
    payload,
    ...(t.debug === true ? { debug: true } : {}),
  };
}

/** google.protobuf.Duration (seconds may come back as number, string or Long) in milliseconds. */
export function durationMs(raw: unknown): number {
  if (raw === null || typeof raw !== 'object') return 0;
  const d = raw as { seconds?: unknown; nanos?: unknown };
  const seconds = toNumber(d.seconds);
  const nanos = toNumber(d.nanos);
  return Math.max(0, Math.round(seconds * 1000 + nanos / 1e6));
}

function toNumber(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string') return Number(v) || 0;
  if (v && typeof (v as { toNumber?: unknown }).toNumber === 'function') {
    return (v as { toNumber(): number }).toNumber();
  }
  return 0;
}
