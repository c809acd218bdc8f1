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
