import { Code } from '../../../src/connector/index.js';
import { GrpcFailure } from './grpc-wire.js';
import { TASK_ID_PATTERN, type QueuedTask, type TaskQueue } from './task-queue.js';
import { assembleUpload, hostIdProblem, offSizeChunks, type UploadRecord } from './upload-assembler.js';

type Model = Record<string, unknown>;

export const SERVICE = 'c1.connectorapi.baton.v1.BatonService';
const PKG = 'c1.connectorapi.baton.v1';

/** Method name → request/response message names; only UploadAsset is client-streaming. */
export const METHODS = {
  Hello: { streaming: false },
  GetTask: { streaming: false },
  GetTasks: { streaming: false },
  Heartbeat: { streaming: false },
  FinishTask: { streaming: false },
  UploadAsset: { streaming: true },
} as const;
export type MethodName = keyof typeof METHODS;
export const requestType = (m: MethodName): string => `${PKG}.BatonService${m}Request`;
export const responseType = (m: MethodName): string => `${PKG}.BatonService${m}Response`;

/** Decoded requests in model shape (camelCase); only the fields the SDK sends are typed. */
export interface HelloRequest extends Model {
  hostId?: string;
  taskId?: string;
  buildInfo?: { langVersion?: string; package?: string; packageVersion?: string };
  osInfo?: Record<string, string | undefined>;
  connectorMetadata?: Model;
}
export interface HeartbeatRequest extends Model {
  hostId?: string;
  taskId?: string;
}
export interface FinishTaskRequest extends Model {
  hostId?: string;
  taskId?: string;
  status?: { code?: number; message?: string; details?: Model[] };
  error?: { nonRetryable?: boolean; annotations?: Model[]; response?: Model };
  success?: { annotations?: Model[]; response?: Model };
}

/** The 8 `os_info` fields a Hello must fill (spec control-plane §4.1, §12.8), in model shape. */
export const OS_INFO_FIELDS = [
  'hostname',
  'os',
  'platform',
  'platformVersion',
  'platformFamily',
  'kernelVersion',
  'kernelArch',
  'virtualizationSystem',
] as const;
const BUILD_INFO_FIELDS = ['langVersion', 'package', 'packageVersion'] as const;
const MAX_SUCCESS_ANNOTATIONS = 16;

const duration = (ms: number): Model => ({ seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1e6 });
const invalid = (message: string): GrpcFailure => new GrpcFailure(Code.INVALID_ARGUMENT, message);

function requireHostId(req: Model): void {
  const problem = hostIdProblem(req.hostId);
  if (problem) throw invalid(problem);
}

/**
 * The BatonService semantics: validation per baton.proto's rules, the scripted task queue, and records of
 * what the client sent. Behaviour the SDK would never show but the proto allows (a FinishTask for a hello
 * task, a second FinishTask, a heartbeat for a non-sync task, empty os_info fields) is answered normally
 * and listed in `violations`.
 */
export class BatonServiceFake {
  readonly hellos: HelloRequest[] = [];
  readonly heartbeats: HeartbeatRequest[] = [];
  readonly finishes: FinishTaskRequest[] = [];
  readonly uploads: UploadRecord[] = [];
  readonly violations: string[] = [];
  readonly #finishCounts = new Map<string, number>();

  constructor(private readonly o: { queue: TaskQueue; nextPollMs: number; nextHeartbeatMs: number }) {}

  handle(method: MethodName, requests: Model[]): Model {
    const req = requests[0] ?? {};
    switch (method) {
      case 'Hello':
        return this.#hello(req as HelloRequest);
      case 'GetTask': {
        requireHostId(req);
        const [t] = this.o.queue.take(1);
        return { ...(t ? { task: t.task } : {}), nextPoll: duration(this.o.nextPollMs) };
      }
      case 'GetTasks':
        return this.#getTasks(req);
      case 'Heartbeat':
        return this.#heartbeat(req as HeartbeatRequest);
      case 'FinishTask':
        return this.#finish(req as FinishTaskRequest);
      case 'UploadAsset':
        return this.#upload(requests);
    }
  }

  finishCount(taskId: string): number {
    return this.#finishCounts.get(taskId) ?? 0;
  }

  #hello(req: HelloRequest): Model {
    requireHostId(req);
    const taskId = req.taskId ?? '';
    if (taskId !== '' && !TASK_ID_PATTERN.test(taskId))
      throw invalid('task_id must be empty or 27 alphanumerics');
    if (!req.connectorMetadata) throw invalid('connector_metadata is required');
    for (const [group, fields] of [
      ['build_info', req.buildInfo ?? {}],
      ['os_info', req.osInfo ?? {}],
    ] as const) {
      for (const [k, v] of Object.entries(fields))
        if (typeof v === 'string' && v.length > 256) throw invalid(`${group}.${k} is longer than 256`);
    }
    const empty = OS_INFO_FIELDS.filter((f) => !req.osInfo?.[f]);
    if (empty.length) this.violations.push(`Hello has empty os_info fields: ${empty.join(', ')}`);
    const noBuild = BUILD_INFO_FIELDS.filter((f) => !req.buildInfo?.[f]);
    if (noBuild.length) this.violations.push(`Hello has empty build_info fields: ${noBuild.join(', ')}`);
    if (taskId !== '' && this.#issued(taskId, 'Hello').kind !== 'hello')
      this.violations.push(`Hello answers task ${taskId}, which is not a hello task`);
    this.hellos.push(req);
    return {};
  }

  #getTasks(req: Model): Model {
    requireHostId(req);
    const pageSize = Number(req.pageSize ?? 0);
    if (pageSize < 1 || pageSize > 100) throw invalid('page_size must be 1..100');
    const known = (req.knownTaskIds ?? []) as string[];
    if (!known.every((id) => TASK_ID_PATTERN.test(id))) throw invalid('known_task_ids must be task ids');
    const tasks = this.o.queue.take(pageSize, known).map((t) => t.task);
    return { tasks, nextPoll: duration(this.o.nextPollMs) };
  }

  #heartbeat(req: HeartbeatRequest): Model {
    requireHostId(req);
    const taskId = this.#taskId(req.taskId);
    const task = this.#issued(taskId, 'Heartbeat');
    if (task.kind !== 'syncFull') this.violations.push(`Heartbeat for ${task.kind} task ${taskId}`);
    if ((req.taskIds as unknown[] | undefined)?.length) this.violations.push('Heartbeat sets task_ids');
    this.heartbeats.push(req);
    return {
      nextHeartbeat: duration(this.o.nextHeartbeatMs),
      cancelled: this.o.queue.isCancelled(taskId),
    };
  }

  #finish(req: FinishTaskRequest): Model {
    requireHostId(req);
    const taskId = this.#taskId(req.taskId);
    if (!req.error && !req.success) throw invalid('final_state (error or success) is required');
    if ((req.success?.annotations?.length ?? 0) > MAX_SUCCESS_ANNOTATIONS)
      throw invalid(`success has more than ${MAX_SUCCESS_ANNOTATIONS} annotations`);
    // Spec §12.12-13: `status` is set only on failure, and then with a non-OK code.
    if (req.success && req.status) this.violations.push(`FinishTask success for ${taskId} sets status`);
    if (req.error && !req.status?.code)
      this.violations.push(`FinishTask error for ${taskId} has no non-OK status`);
    const task = this.#issued(taskId, 'FinishTask');
    if (task.kind === 'hello') this.violations.push(`FinishTask for hello task ${taskId}`);
    const count = this.finishCount(taskId) + 1;
    this.#finishCounts.set(taskId, count);
    if (count > 1) this.violations.push(`FinishTask #${count} for task ${taskId}`);
    this.finishes.push(req);
    return {};
  }

  #upload(frames: Model[]): Model {
    const record = assembleUpload(frames);
    this.#issued(record.taskId, 'UploadAsset');
    if (this.finishCount(record.taskId) > 0)
      this.violations.push(`UploadAsset after FinishTask for task ${record.taskId}`);
    const offSize = offSizeChunks(record.chunkSizes);
    if (offSize.length)
      this.violations.push(`UploadAsset for ${record.taskId} has data chunks of ${offSize.join(', ')} bytes`);
    this.uploads.push(record);
    if (!record.sha256Ok) throw invalid(`sha256_checksum does not match the uploaded bytes`);
    return {};
  }

  #taskId(v: unknown): string {
    if (typeof v !== 'string' || !TASK_ID_PATTERN.test(v)) throw invalid('task_id must be 27 alphanumerics');
    return v;
  }

  /** The task, which must have been handed out by GetTask(s); NOT_FOUND otherwise. */
  #issued(taskId: string, method: string): QueuedTask {
    const task = this.o.queue.get(taskId);
    if (!task || !this.o.queue.wasHandedOut(taskId)) {
      this.violations.push(`${method} for unknown task ${taskId}`);
      throw new GrpcFailure(Code.NOT_FOUND, `task ${taskId} not found`);
    }
    return task;
  }
}
