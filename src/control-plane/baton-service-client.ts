import type { AnyMessage } from '../connector/index.js';

/** Oneof field names of c1.connectorapi.baton.v1.Task.task_type, camelCased as protobufjs decodes them. */
export type TaskKind =
  | 'none'
  | 'hello'
  | 'syncFull'
  | 'grant'
  | 'revoke'
  | 'createAccount'
  | 'createResource'
  | 'deleteResource'
  | 'rotateCredentials'
  | 'eventFeed'
  | 'createTicketTask'
  | 'listTicketSchemas'
  | 'getTicket'
  | 'bulkCreateTickets'
  | 'bulkGetTickets'
  | 'actionListSchemas'
  | 'actionGetSchema'
  | 'actionInvoke'
  | 'actionStatus'
  | 'createSyncDiff'
  | 'compactSyncs'
  | 'listEventFeeds'
  | 'listEvents'
  | 'issueCredential'
  /** an empty oneof, or a field number this build does not know */
  | 'unknown';

/** A task as GetTask returned it: the oneof payload is the decoded sub-message in model shape. */
export interface BatonTask {
  readonly id: string;
  readonly kind: TaskKind;
  readonly payload: Readonly<Record<string, unknown>>;
  readonly debug?: boolean;
}

export interface RpcStatus {
  readonly code: number;
  readonly message: string;
  readonly details?: readonly AnyMessage[];
}

export type FinishResult =
  | {
      readonly kind: 'success';
      /** Packed into Success.response as google.protobuf.Any; absent for a full sync. */
      readonly response?: AnyMessage;
      readonly annotations?: readonly AnyMessage[];
    }
  | {
      readonly kind: 'error';
      readonly status: RpcStatus;
      readonly nonRetryable: boolean;
      readonly annotations?: readonly AnyMessage[];
    };

export interface RpcOptions {
  readonly signal?: AbortSignal;
  /** Per-call deadline; the client applies a sane default when absent. */
  readonly timeoutMs?: number;
}

/**
 * The control plane as the runtime sees it. The gRPC implementation fills host_id on every request and
 * build info, OS info and connector metadata on Hello. Errors are BatonErrors carrying the gRPC code.
 */
export interface BatonServiceClient {
  hello(taskId: string, o?: RpcOptions): Promise<void>;
  /** `nextPollMs` is the server's next_poll, not yet clamped. */
  getTask(o?: RpcOptions): Promise<{ readonly task?: BatonTask; readonly nextPollMs: number }>;
  /**
   * Batched polling (control-plane.md §4.3): up to `pageSize` (1..100) tasks the client does not already hold
   * in `knownTaskIds`; absent and `none` tasks are left out. `nextPollMs` is the server's next_poll, not clamped.
   */
  getTasks(
    pageSize: number,
    knownTaskIds: readonly string[],
    o?: RpcOptions,
  ): Promise<{ readonly tasks: readonly BatonTask[]; readonly nextPollMs: number }>;
  /** `nextHeartbeatMs` is the server's next_heartbeat (0 when unset), not yet clamped. */
  heartbeat(
    taskId: string,
    o?: RpcOptions,
  ): Promise<{ readonly nextHeartbeatMs: number; readonly cancelled: boolean }>;
  finishTask(taskId: string, result: FinishResult, o?: RpcOptions): Promise<void>;
  /** Streams the file from disk: metadata, 512 KiB chunks, EOF with its SHA-256; up to 3 attempts. */
  uploadAsset(taskId: string, path: string, o?: RpcOptions): Promise<void>;
  close(): void;
}
