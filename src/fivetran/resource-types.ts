import { annotations } from '../connector/index.js';
import type { ResourceType } from '../connector/index.js';

// fivetran-model.md "Resource types": these ids are stored by C1, change them only on purpose.

export const USER_TYPE: ResourceType = {
  id: 'user',
  displayName: 'User',
  traits: ['TRAIT_USER'],
  annotations: [annotations.skipEntitlementsAndGrants()],
};

export const GROUP_TYPE: ResourceType = { id: 'group', displayName: 'Group', traits: ['TRAIT_GROUP'] };

export const TEAM_TYPE: ResourceType = { id: 'team', displayName: 'Team', traits: ['TRAIT_GROUP'] };

export const ROLE_TYPE: ResourceType = { id: 'role', displayName: 'Role', traits: ['TRAIT_ROLE'] };

// fivetran-model.md "Connections and system keys".

/** Connections: each listed with `parent_resource_id` = its `group`. */
export const CONNECTION_TYPE: ResourceType = { id: 'connection', displayName: 'Connection' };

export const SYSTEM_KEY_TYPE: ResourceType = {
  id: 'system_key',
  displayName: 'System Key',
  traits: ['TRAIT_SECRET'],
};
