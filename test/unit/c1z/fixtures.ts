import type { Clock, Entitlement, Grant, Resource, ResourceType } from '../../../src/connector/index.js';
import { annotations, entitlementId, grantId, resourceId } from '../../../src/connector/index.js';

/** A clock tests move by hand; sleep resolves at once. */
export class FakeClock implements Clock {
  constructor(public nowMs: number) {}
  now(): number {
    return this.nowMs;
  }
  advance(ms: number): void {
    this.nowMs += ms;
  }
  sleep(): Promise<void> {
    return Promise.resolve();
  }
}

export const accountType: ResourceType = { id: 'account', displayName: 'Account' };
export const userType: ResourceType = {
  id: 'user',
  displayName: 'User',
  traits: ['TRAIT_USER'],
  annotations: [annotations.skipEntitlementsAndGrants()],
};
export const teamType: ResourceType = { id: 'team', displayName: 'Team', traits: ['TRAIT_GROUP'] };

export const account: Resource = { id: resourceId('account', 'acct'), displayName: 'Acme' };
export const user = (n: number): Resource => ({
  id: resourceId('user', `u${n}`),
  displayName: `User ${n}`,
  annotations: [annotations.userTrait({ emails: [{ address: `u${n}@example.com`, isPrimary: true }] })],
});
export const team = (n: number): Resource => ({
  id: resourceId('team', `t${n}`),
  parentResourceId: account.id,
  displayName: `Team ${n}`,
  annotations: [annotations.groupTrait()],
});

export const member = (r: Resource): Entitlement => ({
  resource: r,
  id: entitlementId(r, 'member'),
  displayName: `${r.displayName} member`,
  slug: 'member',
  purpose: 'PURPOSE_VALUE_ASSIGNMENT',
  grantableTo: [userType, teamType],
});

export const grant = (e: Entitlement, principal: Resource, extra: Partial<Grant> = {}): Grant => ({
  entitlement: e,
  principal,
  id: grantId(e.id, principal),
  ...extra,
});
