import type { Logger } from 'pino';
import type { AnyMessage } from '../connector/index.js';
import { annotations, toTimestamp } from '../connector/index.js';
import type { FivetranApi } from './api.js';
import type { ApiPage } from './client.js';
import { isNotFound } from './errors.js';
import type { KeyOwner } from './key-owner.js';
import type { RoleCatalogue } from './role-catalogue.js';

/** What every syncer and provisioner of one connector shares. */
export interface FivetranContext {
  readonly api: FivetranApi;
  readonly roles: RoleCatalogue;
  readonly keyOwner: KeyOwner;
  readonly log: Logger;
}

/** The latest quota as a RateLimitDescription response annotation (none when Fivetran sent no quota). */
export const rateLimitAnnotations = (ctx: FivetranContext): AnyMessage[] => {
  const rl = ctx.api.client.rateLimit;
  if (!rl) return [];
  return [
    annotations.rateLimitDescription({
      status: rl.remaining === 0 ? 'STATUS_OVERLIMIT' : 'STATUS_OK',
      limit: rl.limit,
      remaining: rl.remaining,
      resetAt: rl.resetAt ? toTimestamp(rl.resetAt) : undefined,
    }),
  ];
};

/** A listing under a resource deleted since it was listed: no grants, rather than a failed sync. */
export const emptyIfGone = async <T>(
  ctx: FivetranContext,
  resourceKey: string,
  listing: Promise<ApiPage<T>>,
): Promise<ApiPage<T>> => {
  try {
    return await listing;
  } catch (err) {
    if (!isNotFound(err)) throw err;
    ctx.log.info(
      { resourceId: resourceKey },
      'resource disappeared during the sync; listing no grants for it',
    );
    return { items: [] };
  }
};
