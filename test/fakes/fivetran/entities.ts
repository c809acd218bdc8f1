/**
 * Wire-shaped records held by the fake Fivetran server. Field names are Fivetran's snake_case JSON names, so a
 * record can be serialised as-is (spec fivetran-api.md §3).
 */

export type UserType = 'REGULAR_USER' | 'SERVICE_ACCOUNT';
export type RoleScope = 'ACCOUNT' | 'DESTINATION' | 'CONNECTOR' | 'TEAM';

/** A Fivetran `UserResponse`. `role` is the account-level role only (null = no account role). */
export interface FakeUser {
  id: string;
  email: string;
  given_name: string;
  family_name: string;
  verified: boolean;
  invited: boolean;
  active: boolean;
  picture: string | null;
  phone: string | null;
  role: string | null;
  logged_in_at: string | null;
  created_at: string;
  user_type: UserType;
}

/** A group (destination workspace). */
export interface FakeGroup {
  id: string;
  name: string;
  created_at: string;
}

/** A team; `role` is the team's account-level role, null after `DELETE /v1/teams/{id}/role`. */
export interface FakeTeam {
  id: string;
  name: string;
  description: string;
  role: string | null;
}

/** An entry of `GET /v1/roles`. `is_deprecated` is null on some entries, as in Fivetran's own mocks. */
export interface FakeRole {
  name: string;
  description: string;
  scope: RoleScope[];
  is_custom: boolean;
  is_deprecated: boolean | null;
  replacement_role_name: string | null;
}

/**
 * One membership edge's payload. The same object is shared by both indexes of an edge (e.g. `userGroups` and
 * `groupUsers`), so mutating `role` on it updates both views.
 */
export interface FakeMembership {
  role: string;
  created_at: string;
}

/** Flat edge lists used by `FakeDataset`. */
export interface FakeGroupMembershipRow {
  user_id: string;
  group_id: string;
  role: string;
  created_at: string;
}
export interface FakeTeamMembershipRow {
  team_id: string;
  user_id: string;
  role: string; // 'Team Member' | 'Team Manager'
  created_at: string;
}
export interface FakeTeamGroupRow {
  team_id: string;
  group_id: string;
  role: string;
  created_at: string;
}
