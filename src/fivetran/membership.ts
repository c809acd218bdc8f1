import { BatonError } from '../connector/index.js';
import type { Grant, GrantResult, RevokeResult } from '../connector/index.js';
import { isNotFound } from './errors.js';

/** One principal's hold on one target (a group role, a team seat, an account role), as Fivetran keeps it. */
export interface MembershipSpec<M> {
  /** The current membership; undefined when there is none. */
  readonly read: () => Promise<M | undefined>;
  /** Whether the current membership already amounts to the entitlement. */
  readonly holds: (current: M) => boolean;
}

export interface ApplyMembershipSpec<M> extends MembershipSpec<M> {
  /** Creates the missing membership; a 409 means someone else created it meanwhile. */
  readonly add: () => Promise<void>;
  /** Changes an existing membership so that it holds the entitlement. */
  readonly update: () => Promise<void>;
  /** The grant reported back, whether it was written now or was already there. */
  readonly grant: Grant;
}

export interface RevokeMembershipSpec<M> extends MembershipSpec<M> {
  /** Takes the entitlement away; a 404 means it is already gone. */
  readonly remove: () => Promise<void>;
}

/** Read, then nothing (already held), update (held otherwise) or add; a 409 on add reads once more. */
export const applyMembership = async <M>(spec: ApplyMembershipSpec<M>): Promise<GrantResult> => {
  const grants = [spec.grant];
  const current = await spec.read();
  if (current && spec.holds(current)) return { alreadyExists: true, grants };
  if (current) {
    await spec.update();
    return { grants };
  }
  try {
    await spec.add();
  } catch (err) {
    // Someone added it between our check and our POST: look again rather than fail.
    if (!(err instanceof BatonError && err.httpStatus === 409)) throw err;
    const now = await spec.read();
    if (!now) throw err;
    if (spec.holds(now)) return { alreadyExists: true, grants };
    await spec.update();
  }
  return { grants };
};

/** Read, then remove only what is still held; absent, held otherwise or a 404 on remove: already revoked. */
export const revokeMembership = async <M>(spec: RevokeMembershipSpec<M>): Promise<RevokeResult> => {
  const current = await spec.read();
  if (!current || !spec.holds(current)) return { alreadyRevoked: true };
  try {
    await spec.remove();
    return {};
  } catch (err) {
    if (isNotFound(err)) return { alreadyRevoked: true };
    throw err;
  }
};
