import { annotations, BatonError, resourceId, toStruct, toTimestamp } from '../connector/index.js';
import type {
  Clock,
  Entitlement,
  Grant,
  ListRequest,
  Page,
  PlainValue,
  Resource,
  ResourceId,
  ResourceSyncer,
} from '../connector/index.js';
import type { FivetranSystemKey } from './api.js';
import { rateLimitAnnotations, type FivetranContext } from './fivetran-context.js';
import { SYSTEM_KEY_TYPE } from './resource-types.js';

/**
 * `system_key:<id>` with a SecretTrait. Only id, name, permissions and timestamps are read: the listing's `key`
 * (and any `secret`) never leave. `expired` is computed from Fivetran's `expired_at` at sync time.
 */
const systemKeyResource = (k: FivetranSystemKey, nowMs: number): Resource => {
  const expiresAt = toTimestamp(k.expired_at);
  const expiredMs = k.expired_at ? Date.parse(k.expired_at) : NaN;
  const profile = toStruct({
    permissions: (k.permissions ?? []) as PlainValue[],
    created_at: k.created_at ?? undefined,
    expired: Number.isFinite(expiredMs) && expiredMs <= nowMs,
  });
  const lastUsedAt = toTimestamp(k.last_used_at);
  return {
    id: resourceId('system_key', k.id),
    displayName: k.name || k.id,
    annotations: [
      annotations.secretTrait({
        ...(expiresAt ? { expiresAt } : {}),
        ...(lastUsedAt ? { lastUsedAt } : {}),
      }),
    ],
    profile,
    createdAt: toTimestamp(k.created_at),
  };
};

/** `system_key` resources from `GET /v1/system-keys`; a 403 (the key may not list them) skips the type. */
export class SystemKeySyncer implements ResourceSyncer {
  readonly resourceType = SYSTEM_KEY_TYPE;

  constructor(
    readonly ctx: FivetranContext,
    readonly clock: Clock,
  ) {}

  async list(_parent: ResourceId | undefined, req: ListRequest): Promise<Page<Resource>> {
    try {
      const page = await this.ctx.api.listSystemKeys({
        cursor: req.pageToken || undefined,
        signal: req.signal,
      });
      const now = this.clock.now();
      return {
        items: page.items.map((k) => systemKeyResource(k, now)),
        nextPageToken: page.nextCursor,
        annotations: rateLimitAnnotations(this.ctx),
      };
    } catch (err) {
      if (!(err instanceof BatonError && err.httpStatus === 403) || req.pageToken) throw err;
      this.ctx.log.warn(
        { resourceType: 'system_key', httpStatus: 403 },
        'the Fivetran API key may not list system keys (only an Account Administrator user key can); ' +
          'system keys are not synced',
      );
      return { items: [] };
    }
  }

  // A system key holds access through its permissions list (in the profile); it offers none to grant.
  async entitlements(): Promise<Page<Entitlement>> {
    return { items: [] };
  }

  async grants(): Promise<Page<Grant>> {
    return { items: [] };
  }
}
