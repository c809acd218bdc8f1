import type { FakeState } from './fake-state.js';

/** Pages a listing of `rows` rows takes at `limit` rows per page (an empty listing still takes one call). */
const pages = (rows: number, limit: number): number => Math.max(1, Math.ceil(rows / limit));

/**
 * The fewest Fivetran calls a full sync of `state` can make with `limit` rows per page: one walk of every
 * listing the decided mapping needs (fivetran-model.md) and nothing per user. Role grants come from a second
 * walk of `/v1/users` and `/v1/teams` (the role a user or team holds is a field on it).
 */
export function minimumSyncRequests(state: FakeState, limit = 1000, connectionUserScanLimit = 2000): number {
  let accountLevelUsers = 0;
  for (const u of state.users.values()) if (state.isAccountLevel(u)) accountLevelUsers++;
  let n = 1 + pages(state.roles.length, limit); // /v1/account/info, /v1/roles
  n += 2 * pages(state.users.size, limit) + 2 * pages(state.teams.size, limit);
  n += pages(state.groups.size, limit);
  for (const groupId of state.groups.keys()) {
    const direct = state.groupUsers.get(groupId);
    let rows = direct?.size ?? 0;
    // Account-level users are listed on every group (role null) unless they are direct members.
    rows += accountLevelUsers;
    for (const userId of direct?.keys() ?? []) {
      const u = state.users.get(userId);
      if (u && state.isAccountLevel(u)) rows--;
    }
    n += pages(rows, limit);
  }
  for (const teamId of state.teams.keys()) {
    n += pages(state.teamUsers.get(teamId)?.size ?? 0, limit);
    n += pages(state.teamGroups.get(teamId)?.size ?? 0, limit);
  }
  // fivetran-model.md "Connections and system keys": both listings always; with connections, one `/v1/groups`
  // walk for their descriptions, each team's connection roles, and (up to the scan limit) each user's.
  n += pages(state.connections.size, limit) + pages(state.systemKeys.size, limit);
  if (state.connections.size > 0) {
    n += pages(state.groups.size, limit);
    for (const teamId of state.teams.keys()) n += pages(state.teamConnections.get(teamId)?.size ?? 0, limit);
    if (state.users.size <= connectionUserScanLimit) {
      n += pages(state.users.size, limit);
      for (const userId of state.users.keys())
        n += pages(state.userConnections.get(userId)?.size ?? 0, limit);
    }
  }
  return n;
}
