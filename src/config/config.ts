import type { Secret } from './secret.js';

export type RunMode = 'service' | 'one-shot';

/** Validated, frozen settings; durations already in milliseconds. Each module gets its own slice. */
export interface Config {
  readonly mode: RunMode;
  readonly controlPlane: {
    readonly clientId: string;
    readonly clientSecret: Secret;
    readonly hostId: string;
    /** BATON_C1_API_HOST: replaces the host (and port) for the token endpoint and gRPC. */
    readonly apiHostOverride?: string;
    readonly httpTimeoutMs: number;
  };
  readonly fivetran: {
    readonly apiKey: string;
    readonly apiSecret: Secret;
    readonly baseUrl: string;
    readonly concurrency: number;
    readonly timeoutMs: number;
  };
  readonly sync: {
    readonly file: string;
    readonly provisioning: boolean;
    readonly resourceTypeIds: readonly string[];
    readonly skipEntitlementsAndGrants: boolean;
    /** Empty means the OS temp dir (service mode) or the folder of `file` (one-shot, so the rename is atomic). */
    readonly tempDir: string;
  };
  readonly runtime: {
    readonly taskConcurrency: number;
    readonly shutdownGraceMs: number;
    readonly opsListen?: { readonly host: string; readonly port: number };
  };
  readonly log: { readonly level: 'debug' | 'info' | 'warn' | 'error'; readonly format: 'json' | 'console' };
}
