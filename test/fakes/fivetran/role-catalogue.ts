import type { FakeRole, RoleScope } from './entities.js';

const role = (
  name: string,
  scope: RoleScope,
  description: string,
  extra: Partial<FakeRole> = {},
): FakeRole => ({
  name,
  description,
  scope: [scope],
  is_custom: false,
  is_deprecated: false,
  replacement_role_name: null,
  ...extra,
});

const deprecated = (name: string, scope: RoleScope, replacement: string): FakeRole =>
  role(name, scope, `Deprecated: use ${replacement}.`, {
    is_deprecated: true,
    replacement_role_name: replacement,
  });

/** Account roles whose holders see every destination, so they are listed in `/groups/{id}/users` with role null. */
export const ACCOUNT_LEVEL_ROLES: ReadonlySet<string> = new Set([
  'Account Administrator',
  'Account Reviewer',
  'Account Analyst',
]);

export const ACCOUNT_ADMINISTRATOR = 'Account Administrator';

/** The role catalogue served by `GET /v1/roles`, including deprecated entries and one custom account role. */
export function roleCatalogue(): FakeRole[] {
  return [
    role(
      'Account Administrator',
      'ACCOUNT',
      'Can view and change account information, including billing, users, roles, API access, and security settings.',
      { is_deprecated: null },
    ),
    role('Account Billing', 'ACCOUNT', 'Can view and change billing information.'),
    role(
      'Account Analyst',
      'ACCOUNT',
      'Can view account information and edit connections in every destination.',
    ),
    role('Account Reviewer', 'ACCOUNT', 'Can view account information, users, teams and every destination.'),
    role(
      'Destination Creator',
      'ACCOUNT',
      'Can create destinations and administer the destinations it creates.',
    ),
    role('Compliance Auditor', 'ACCOUNT', 'Custom role: reviews users and access.', { is_custom: true }),
    role(
      'Manage Destination',
      'DESTINATION',
      'Can view and change the destinations that you are invited to.',
    ),
    role(
      'Edit Destination',
      'DESTINATION',
      'Can edit connections in the destinations that you are invited to.',
    ),
    role('View Destination', 'DESTINATION', 'Can view the destinations that you are invited to.'),
    role(
      'Create Connection',
      'DESTINATION',
      'Can create connections in the destinations that you are invited to.',
    ),
    deprecated('Destination Administrator', 'DESTINATION', 'Manage Destination'),
    deprecated('Destination Reviewer', 'DESTINATION', 'View Destination'),
    role('Manage Connection', 'CONNECTOR', 'Can view and change the connections that you are invited to.'),
    role('Edit Connection', 'CONNECTOR', 'Can edit the connections that you are invited to.'),
    role('View Connection', 'CONNECTOR', 'Can view the connections that you are invited to.'),
    deprecated('Connector Administrator', 'CONNECTOR', 'Manage Connection'),
    deprecated('Connector Reviewer', 'CONNECTOR', 'View Connection'),
    role('Team Manager', 'TEAM', 'Can manage the team and its members.'),
    role('Team Member', 'TEAM', 'Belongs to the team and inherits its roles.'),
  ];
}
