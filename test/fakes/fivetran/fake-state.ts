import type { FakeConnection, FakeSystemKey } from './connection-entities.js';
import type { FakeDataset } from './dataset.js';
import type { FakeGroup, FakeMembership, FakeRole, FakeTeam, FakeUser, RoleScope } from './entities.js';
import { IdAllocator } from './id-allocator.js';
import { ACCOUNT_ADMINISTRATOR, ACCOUNT_LEVEL_ROLES } from './role-catalogue.js';
import { SeededRandom } from './seeded-random.js';

type Edges = Map<string, Map<string, FakeMembership>>;

/**
 * The fake's live, mutable account. Entity maps iterate in insertion order, which is the order list endpoints
 * return. Fields of stored objects (e.g. `user.active`, `user.role`, `membership.role`) may be mutated directly;
 * adding or removing users, groups, teams or memberships must go through the methods, which keep the paired
 * edge indexes (`userGroups`/`groupUsers`, `teamUsers`/`userTeams`) and the email index consistent.
 */
export class FakeState {
  readonly accountId: string;
  accountName: string;
  /** userId → user. */
  readonly users = new Map<string, FakeUser>();
  /** groupId → group. */
  readonly groups = new Map<string, FakeGroup>();
  /** teamId → team. */
  readonly teams = new Map<string, FakeTeam>();
  /** The `GET /v1/roles` catalogue, in list order. */
  readonly roles: FakeRole[];
  /** userId → groupId → direct membership (`role` may be a deprecated name). Same objects as `groupUsers`. */
  readonly userGroups: Edges = new Map();
  /** groupId → userId → direct membership. Account-level users are NOT in here (see `isAccountLevel`). */
  readonly groupUsers: Edges = new Map();
  /** teamId → userId → membership with role `Team Member` or `Team Manager`. Same objects as `userTeams`. */
  readonly teamUsers: Edges = new Map();
  /** userId → teamId → membership. */
  readonly userTeams: Edges = new Map();
  /** teamId → groupId → the team's destination role on that group. */
  readonly teamGroups: Edges = new Map();
  /** connectionId → connection. */
  readonly connections = new Map<string, FakeConnection>();
  /** userId → connectionId → the user's direct role on the connection. */
  readonly userConnections: Edges = new Map();
  /** teamId → connectionId → the team's role on the connection. */
  readonly teamConnections: Edges = new Map();
  /** systemKeyId → system key (what `GET /v1/system-keys` lists). */
  readonly systemKeys = new Map<string, FakeSystemKey>();
  readonly #emails = new Map<string, string>();
  readonly #ids: IdAllocator;

  constructor(
    dataset: FakeDataset,
    private readonly now: () => number = Date.now,
  ) {
    this.accountId = dataset.accountId;
    this.accountName = dataset.accountName;
    this.roles = dataset.roles.map((r) => ({ ...r, scope: [...r.scope] }));
    for (const u of dataset.users) this.addUser({ ...u });
    for (const g of dataset.groups) this.addGroup({ ...g });
    for (const t of dataset.teams) this.addTeam({ ...t });
    for (const m of dataset.groupMemberships)
      this.setGroupMembership(m.user_id, m.group_id, m.role, m.created_at);
    for (const m of dataset.teamMemberships)
      this.setTeamMembership(m.team_id, m.user_id, m.role, m.created_at);
    for (const m of dataset.teamGroups) this.setTeamGroup(m.team_id, m.group_id, m.role, m.created_at);
    for (const c of dataset.connections ?? []) this.connections.set(c.id, structuredClone(c));
    for (const m of dataset.userConnections ?? [])
      link(this.userConnections, undefined, m.owner_id, m.connection_id, m.role, m.created_at);
    for (const m of dataset.teamConnections ?? [])
      link(this.teamConnections, undefined, m.owner_id, m.connection_id, m.role, m.created_at);
    for (const k of dataset.systemKeys ?? []) this.systemKeys.set(k.id, structuredClone(k));
    const used = [
      dataset.accountId,
      ...this.users.keys(),
      ...this.groups.keys(),
      ...this.teams.keys(),
      ...this.connections.keys(),
      ...this.systemKeys.keys(),
    ];
    this.#ids = new IdAllocator(new SeededRandom(dataset.seed ^ 0x5eed), used);
  }

  /** A fresh unique `word_word` id (deterministic sequence for a dataset seed). */
  newId(): string {
    return this.#ids.next();
  }

  /** The current time as a Fivetran timestamp. */
  timestamp(): string {
    return new Date(this.now()).toISOString();
  }

  role(name: string): FakeRole | undefined {
    return this.roles.find((r) => r.name === name);
  }

  roleHasScope(name: string, scope: RoleScope): boolean {
    return this.role(name)?.scope.includes(scope) ?? false;
  }

  /** Case-insensitive lookup. */
  userByEmail(email: string): FakeUser | undefined {
    const id = this.#emails.get(email.toLowerCase());
    return id === undefined ? undefined : this.users.get(id);
  }

  /** Holders of an account role that sees every destination: listed in every group with `role: null`. */
  isAccountLevel(user: FakeUser): boolean {
    return user.role !== null && ACCOUNT_LEVEL_ROLES.has(user.role);
  }

  accountAdministratorCount(): number {
    let n = 0;
    for (const u of this.users.values()) if (u.role === ACCOUNT_ADMINISTRATOR) n++;
    return n;
  }

  addUser(user: FakeUser): FakeUser {
    if (this.users.has(user.id) || this.userByEmail(user.email)) throw new Error(`duplicate user ${user.id}`);
    this.users.set(user.id, user);
    this.#emails.set(user.email.toLowerCase(), user.id);
    return user;
  }

  /** Removes the user and all their group and team memberships. */
  removeUser(userId: string): boolean {
    const user = this.users.get(userId);
    if (!user) return false;
    for (const groupId of [...(this.userGroups.get(userId)?.keys() ?? [])])
      this.removeGroupMembership(userId, groupId);
    for (const teamId of [...(this.userTeams.get(userId)?.keys() ?? [])])
      this.removeTeamMembership(teamId, userId);
    this.userConnections.delete(userId);
    this.users.delete(userId);
    this.#emails.delete(user.email.toLowerCase());
    return true;
  }

  addGroup(group: FakeGroup): FakeGroup {
    this.groups.set(group.id, group);
    return group;
  }

  /** Removes the group with every user and team membership on it. */
  removeGroup(groupId: string): boolean {
    for (const userId of [...(this.groupUsers.get(groupId)?.keys() ?? [])])
      this.removeGroupMembership(userId, groupId);
    for (const teamGroups of this.teamGroups.values()) teamGroups.delete(groupId);
    return this.groups.delete(groupId);
  }

  addTeam(team: FakeTeam): FakeTeam {
    this.teams.set(team.id, team);
    return team;
  }

  /** Removes the team with its user and group memberships. */
  removeTeam(teamId: string): boolean {
    for (const userId of [...(this.teamUsers.get(teamId)?.keys() ?? [])])
      this.removeTeamMembership(teamId, userId);
    this.teamGroups.delete(teamId);
    this.teamConnections.delete(teamId);
    return this.teams.delete(teamId);
  }

  /** Creates the membership, or updates its role when it exists. */
  setGroupMembership(userId: string, groupId: string, role: string, createdAt?: string): FakeMembership {
    return link(this.userGroups, this.groupUsers, userId, groupId, role, createdAt ?? this.timestamp());
  }

  removeGroupMembership(userId: string, groupId: string): boolean {
    return unlink(this.userGroups, this.groupUsers, userId, groupId);
  }

  setTeamMembership(teamId: string, userId: string, role: string, createdAt?: string): FakeMembership {
    return link(this.teamUsers, this.userTeams, teamId, userId, role, createdAt ?? this.timestamp());
  }

  removeTeamMembership(teamId: string, userId: string): boolean {
    return unlink(this.teamUsers, this.userTeams, teamId, userId);
  }

  setTeamGroup(teamId: string, groupId: string, role: string, createdAt?: string): FakeMembership {
    return link(this.teamGroups, undefined, teamId, groupId, role, createdAt ?? this.timestamp());
  }

  removeTeamGroup(teamId: string, groupId: string): boolean {
    return unlink(this.teamGroups, undefined, teamId, groupId);
  }
}

/** A user's or team's role on a connection: `userConnections` / `teamConnections` by owner kind. */
export function connectionEdges(state: FakeState, owner: 'user' | 'team'): Edges {
  return owner === 'user' ? state.userConnections : state.teamConnections;
}

/** Creates the connection membership, or updates its role when it exists. */
export function setConnectionMembership(
  state: FakeState,
  owner: 'user' | 'team',
  ownerId: string,
  connectionId: string,
  role: string,
): FakeMembership {
  return link(connectionEdges(state, owner), undefined, ownerId, connectionId, role, state.timestamp());
}

export function removeConnectionMembership(
  state: FakeState,
  owner: 'user' | 'team',
  ownerId: string,
  connectionId: string,
): boolean {
  return unlink(connectionEdges(state, owner), undefined, ownerId, connectionId);
}

function link(
  forward: Edges,
  reverse: Edges | undefined,
  a: string,
  b: string,
  role: string,
  createdAt: string,
): FakeMembership {
  const existing = forward.get(a)?.get(b);
  if (existing) {
    existing.role = role;
    return existing;
  }
  const membership: FakeMembership = { role, created_at: createdAt };
  edgeMap(forward, a).set(b, membership);
  if (reverse) edgeMap(reverse, b).set(a, membership);
  return membership;
}

function unlink(forward: Edges, reverse: Edges | undefined, a: string, b: string): boolean {
  const removed = forward.get(a)?.delete(b) ?? false;
  reverse?.get(b)?.delete(a);
  return removed;
}

function edgeMap(edges: Edges, key: string): Map<string, FakeMembership> {
  let inner = edges.get(key);
  if (!inner) edges.set(key, (inner = new Map()));
  return inner;
}
