export type * from './baton-service-client.js';
export { GrpcBatonClient, type GrpcBatonClientOptions, type HelloInfo } from './grpc-baton-client.js';
export type { OutboundAgents } from './token-source.js';
export { parseClientId, parseClientSecret, type ClientId, type ClientSecret } from './credentials.js';
export { buildInfo, osInfo, type BuildInfo, type OsInfo } from './host-info.js';
export {
  TaskLoop,
  GracePeriodExpiredError,
  FINISH_TASK_TIMEOUT_MS,
  type TaskLoopMetrics,
  type TaskLoopOptions,
  type TaskLoopState,
  type TaskLoopStatus,
} from './task-loop.js';
export { HeartbeatFailedError, TaskCancelledError, MAX_HEARTBEAT_FAILURES } from './heartbeater.js';
export { toFinishError, TaskAbortedError } from './finish-error.js';
export { startupHello } from './startup-hello.js';
export { doublingBackoffMs } from './backoff.js';
export { grpcServiceDefinition, grpcPackageDefinition } from './grpc-definitions.js';
