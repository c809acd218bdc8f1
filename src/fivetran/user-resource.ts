import { annotations, resourceId, toStruct, toTimestamp } from '../connector/index.js';
import type { Resource } from '../connector/index.js';
import type { FivetranUser } from './api.js';
import type { RoleSet } from './role-catalogue.js';

/** `user:<id>` per fivetran-model.md "Resources". `roles` maps a deprecated account role name. */
export const userResource = (u: FivetranUser, roles: RoleSet | undefined): Resource => {
  const given = u.given_name ?? '';
  const family = u.family_name ?? '';
  const email = u.email ?? '';
  const displayName = `${given} ${family}`.trim() || email || u.id;
  const isActive = u.active !== false;
  const role = (roles ? roles.normalise(u.role) : u.role?.trim()) ?? '';
  // An invitation not yet accepted: invited, and not verified yet (a fresh invitee is already `active`).
  const pendingInvitation = u.invited === true && u.verified !== true;
  const profile = toStruct({
    email,
    given_name: given,
    family_name: family,
    first_name: given,
    last_name: family,
    user_id: u.id,
    role,
    invited: Boolean(u.invited),
    verified: Boolean(u.verified),
    active: isActive,
    pending_invitation: pendingInvitation,
  });
  const createdAt = toTimestamp(u.created_at);
  const trait = annotations.userTrait({
    emails: email ? [{ address: email, isPrimary: true }] : [],
    login: email || undefined,
    status: { status: isActive ? 'STATUS_ENABLED' : 'STATUS_DISABLED' },
    accountType: u.user_type === 'SERVICE_ACCOUNT' ? 'ACCOUNT_TYPE_SERVICE' : 'ACCOUNT_TYPE_HUMAN',
    structuredName: { givenName: given, familyName: family },
    lastLogin: toTimestamp(u.logged_in_at),
    createdAt,
    profile,
  });
  return {
    id: resourceId('user', u.id),
    displayName,
    ...(pendingInvitation ? { description: 'Pending invitation (not accepted yet)' } : {}),
    annotations: [trait],
    profile,
    status: { status: isActive ? 'RESOURCE_STATUS_ENABLED' : 'RESOURCE_STATUS_DISABLED' },
    createdAt,
  };
};
