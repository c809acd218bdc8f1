import type { Logger } from 'pino';
import type { AnyMessage, Clock } from '../connector/index.js';

/** What the control plane offers a running task. */
export interface TaskContext {
  /** Aborts when the shutdown grace ends, the server cancels the task, or heartbeats keep failing. */
  readonly signal: AbortSignal;
  /** Already bound to `{ taskId, taskType }`. */
  readonly log: Logger;
  readonly clock: Clock;
  /**
   * Sends the initial heartbeat, then keeps heartbeating until the task ends. Rejects when the initial
   * heartbeat fails or the task was cancelled; the task then ends without FinishTask. Later failures
   * abort `signal` with a typed reason.
   */
  startHeartbeats(): Promise<void>;
  /** Uploads a finished file as this task's asset (before FinishTask). */
  upload(path: string): Promise<void>;
  /** Answers a hello task with a Hello carrying its task id. */
  hello(): Promise<void>;
}

/** The decoded task-type sub-message, camelCase as protobufjs decodes it. */
export type TaskPayload = Readonly<Record<string, unknown>>;

export type TaskOutcome =
  | {
      readonly kind: 'finish';
      /** Packed as Success.response (google.protobuf.Any); absent for a full sync. */
      readonly response?: AnyMessage;
      /** Success.annotations: the response's own annotations, at most 16. */
      readonly annotations?: readonly AnyMessage[];
    }
  | { readonly kind: 'no-finish' };

export interface TaskHandler {
  /** Checks the payload before any I/O; throws to finish with an error. */
  run(payload: TaskPayload, ctx: TaskContext): Promise<TaskOutcome>;
  /** Task-level `non_retryable` for an error `run` threw (control-plane.md §4.8). */
  classify(err: unknown): boolean;
}

/** The task-type oneof names this runtime handles, as the control-plane client reports them. */
export type TaskType =
  | 'hello'
  | 'syncFull'
  | 'grant'
  | 'revoke'
  | 'createAccount'
  | 'deleteResource'
  | 'createResource'
  | 'rotateCredentials'
  | 'issueCredential';

export type TaskHandlers = Readonly<Partial<Record<string, TaskHandler>>>;
