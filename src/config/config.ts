import type { UnknownEnvVar } from './unknown-env.js';
import type { Secret } from './secret.js';
import type { ResourceRef } from './resource-bid.js';

export type RunMode = 'service' | 'one-shot';

/** JSON as parsed from `--create-account-profile`. */
export type ProfileValue = string | number | boolean | null | ProfileValue[] | { [k: string]: ProfileValue };

/**
 * One-shot provisioning (the SDK's hidden flags): run this single operation against the objects in `--file`
 * instead of a sync. Ids are as written on the command line, trimmed.
 */
export type ProvisioningAction =
  | {
      readonly kind: 'grant';
      readonly entitlementId: string;
      readonly principalId: string;
      /** Absent: the principal is looked up by id among every resource type in the file. */
      readonly principalType?: string;
    }
  | { readonly kind: 'revoke'; readonly grantId: string }
  | {
      readonly kind: 'create-account';
      readonly login?: string;
      readonly email?: string;
      readonly profile?: Readonly<Record<string, ProfileValue>>;
      /** Absent: the connector's only account type. */
      readonly resourceTypeId?: string;
    }
  | { readonly kind: 'delete-resource'; readonly resourceId: string; readonly resourceTypeId: string };

/** Validated, frozen settings; durations already in milliseconds. Each module gets its own slice. */
export interface Config {
  readonly mode: RunMode;
  /** Set only in one-shot mode when a provisioning flag was given. */
  readonly provisioningAction?: ProvisioningAction;
  readonly controlPlane: {
    readonly clientId: string;
    readonly clientSecret: Secret;
    readonly hostId: string;
    /** BATON_C1_API_HOST: replaces the host (and port) for the token endpoint and gRPC. */
    readonly apiHostOverride?: string;
    readonly httpTimeoutMs: number;
    /** BATON_GET_TASKS: batched polling with GetTasks instead of GetTask. */
    readonly getTasks: boolean;
  };
  readonly fivetran: {
    readonly apiKey: string;
    readonly apiSecret: Secret;
    readonly baseUrl: string;
    readonly concurrency: number;
    readonly timeoutMs: number;
    /** A list longer than this (in pages of 1000) is taken as endless paging. */
    readonly maxListItems: number;
    /** When users' direct connection roles are scanned (one request per user). */
    readonly connectionUserScan: { readonly mode: 'auto' | 'always' | 'never'; readonly userLimit: number };
  };
  readonly sync: {
    readonly file: string;
    readonly provisioning: boolean;
    readonly resourceTypeIds: readonly string[];
    readonly skipEntitlementsAndGrants: boolean;
    /** `--sync-resources`: a targeted sync of these resources instead of a whole one (one-shot mode). */
    readonly targetedResources: readonly ResourceRef[];
    /** Empty means the OS temp dir (service mode) or the folder of `file` (one-shot, so the rename is atomic). */
    readonly tempDir: string;
  };
  readonly runtime: {
    readonly taskConcurrency: number;
    readonly shutdownGraceMs: number;
    readonly opsListen?: { readonly host: string; readonly port: number };
  };
  /** Standard proxy variables (not BATON_-prefixed); proxy URLs may hold credentials. */
  readonly network: {
    /** HTTPS_PROXY or https_proxy, with a scheme (`proxy:3128` reads as `http://proxy:3128`). */
    readonly httpsProxy?: Secret;
    /** HTTP_PROXY or http_proxy: plain http: targets only. */
    readonly httpProxy?: Secret;
    /** NO_PROXY or no_proxy, as written. */
    readonly noProxy?: string;
  };
  /** `BATON_*` variables in the environment that no setting reads: logged once at start as likely typos. */
  readonly unknownEnv: readonly UnknownEnvVar[];
  readonly log: { readonly level: 'debug' | 'info' | 'warn' | 'error'; readonly format: 'json' | 'console' };
}
