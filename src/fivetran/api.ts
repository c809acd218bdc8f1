import { internal, type CallOptions } from '../connector/index.js';
import type { ApiPage, FivetranClient, HttpMethod } from './client.js';
import { isNotFound } from './errors.js';

// Wire shapes from fivetran-api.md §3, snake_case as Fivetran sends them. Optional where live data varies.

export interface FivetranAccountInfo {
  readonly account_id: string;
  readonly account_name?: string | null;
  readonly user_id?: string | null;
  readonly system_key_id?: string | null;
}

export interface FivetranUser {
  readonly id: string;
  readonly email?: string | null;
  readonly given_name?: string | null;
  readonly family_name?: string | null;
  readonly verified?: boolean | null;
  readonly invited?: boolean | null;
  readonly active?: boolean | null;
  readonly role?: string | null;
  readonly logged_in_at?: string | null;
  readonly created_at?: string | null;
  readonly user_type?: string | null;
}

export interface FivetranGroup {
  readonly id: string;
  readonly name: string;
  readonly created_at?: string | null;
}

export interface FivetranTeam {
  readonly id: string;
  readonly name: string;
  readonly description?: string | null;
  readonly role?: string | null;
}

export interface FivetranRole {
  readonly name: string;
  readonly description?: string | null;
  readonly scope?: readonly string[] | null;
  readonly is_custom?: boolean | null;
  readonly is_deprecated?: boolean | null;
  readonly replacement_role_name?: string | null;
}

/** A user's or team's role on a group (`/users/{id}/groups`, `/teams/{id}/groups`). */
export interface FivetranMembership {
  readonly id: string;
  readonly role?: string | null;
  readonly created_at?: string | null;
}

/** `GET /v1/connections` item; only the fields the mapping reads (the rest, `config` included, is ignored). */
export interface FivetranConnection {
  readonly id: string;
  readonly group_id: string;
  readonly service?: string | null;
  readonly schema?: string | null;
  readonly paused?: boolean | null;
  readonly sync_frequency?: number | null;
  readonly created_at?: string | null;
  readonly status?: { readonly setup_state?: string | null } | null;
}

/** `GET /v1/system-keys` item (official OpenAPI `SystemKeyResponse`); `key`/`secret` are never read. */
export interface FivetranSystemKey {
  readonly id: string;
  readonly name?: string | null;
  readonly created_at?: string | null;
  /** When the key expires or expired (Fivetran's name); absent for keys that never expire. */
  readonly expired_at?: string | null;
  readonly last_used_at?: string | null;
  readonly permissions?: readonly unknown[] | null;
}

export interface FivetranTeamUser {
  readonly user_id: string;
  readonly role?: string | null;
  readonly created_at?: string | null;
}

export interface InviteUserBody {
  readonly email: string;
  readonly given_name: string;
  readonly family_name: string;
  readonly role?: string;
}

export interface PageOptions extends CallOptions {
  readonly cursor?: string;
}

/** Who holds a role on a group or a connection: a user or a team. */
export type GroupMemberKind = 'user' | 'team';

/** The two membership collections under `/v1/users/{id}` and `/v1/teams/{id}`. */
export type MembershipCollection = 'groups' | 'connections';

/** One user's or team's role on one group or connection: `/v1/{users|teams}/{id}/{collection}/{targetId}`. */
export interface MembershipRef {
  readonly kind: GroupMemberKind;
  readonly id: string;
  readonly collection: MembershipCollection;
  readonly targetId: string;
}

/** `/v1/{users|teams}/{id}/{collection}`, or `/…/{collection}/{targetId}` when a target id is given. */
const memberPath = (
  kind: GroupMemberKind,
  id: string,
  collection: MembershipCollection,
  targetId?: string,
): { readonly endpoint: string; readonly params: Record<string, string> } => {
  const endpoint = `/v1/${kind}s/{${kind}Id}/${collection}`;
  const params: Record<string, string> = { [`${kind}Id`]: id };
  if (targetId === undefined) return { endpoint, params };
  const one = collection === 'groups' ? 'groupId' : 'connectionId';
  return { endpoint: `${endpoint}/{${one}}`, params: { ...params, [one]: targetId } };
};

export const TEAM_MEMBER = 'Team Member';
export const TEAM_MANAGER = 'Team Manager';

/** Typed Fivetran endpoints used by the connector. Single-membership lookups answer undefined on 404. */
export class FivetranApi {
  constructor(readonly client: FivetranClient) {}

  accountInfo(o: CallOptions): Promise<FivetranAccountInfo> {
    const shape = { kind: 'object', idKey: 'account_id' } as const;
    return this.#required(
      this.client.request({ method: 'GET', endpoint: '/v1/account/info', shape, signal: o.signal }),
    );
  }

  listUsers(o: PageOptions): Promise<ApiPage<FivetranUser>> {
    return this.client.page({ endpoint: '/v1/users', ...o });
  }
  /** Every page of `/v1/users` in turn, so a search can stop at the first page with a hit. */
  userPages(o: CallOptions): AsyncGenerator<FivetranUser[]> {
    return this.client.pages({ endpoint: '/v1/users', signal: o.signal });
  }
  listGroups(o: PageOptions): Promise<ApiPage<FivetranGroup>> {
    return this.client.page({ endpoint: '/v1/groups', ...o });
  }
  /** Every page of `/v1/groups` in turn. */
  groupPages(o: CallOptions): AsyncGenerator<FivetranGroup[]> {
    return this.client.pages({ endpoint: '/v1/groups', signal: o.signal });
  }
  listTeams(o: PageOptions): Promise<ApiPage<FivetranTeam>> {
    return this.client.page({ endpoint: '/v1/teams', ...o });
  }
  listAllRoles(o: CallOptions): Promise<FivetranRole[]> {
    return this.client.all({ endpoint: '/v1/roles', idKey: 'name', ...o });
  }
  /** Full user objects whose `role` is the role on this group (empty: access through the account role). */
  listGroupUsers(groupId: string, o: PageOptions): Promise<ApiPage<FivetranUser>> {
    return this.client.page({ endpoint: '/v1/groups/{groupId}/users', params: { groupId }, ...o });
  }
  listTeamUsers(teamId: string, o: PageOptions): Promise<ApiPage<FivetranTeamUser>> {
    const endpoint = '/v1/teams/{teamId}/users';
    return this.client.page({ endpoint, params: { teamId }, idKey: 'user_id', ...o });
  }
  listTeamGroups(teamId: string, o: PageOptions): Promise<ApiPage<FivetranMembership>> {
    return this.client.page({ ...memberPath('team', teamId, 'groups'), ...o });
  }

  listConnections(o: PageOptions): Promise<ApiPage<FivetranConnection>> {
    return this.client.page({ endpoint: '/v1/connections', ...o });
  }
  /** One connection (`GET /v1/connections/{id}`); undefined on 404 (`NotFound_Connection`/`NotFound_Connector`). */
  getConnection(connectionId: string, o: CallOptions): Promise<FivetranConnection | undefined> {
    return this.#optional(this.#read('/v1/connections/{connectionId}', { connectionId }, 'id', o));
  }
  listSystemKeys(o: PageOptions): Promise<ApiPage<FivetranSystemKey>> {
    return this.client.page({ endpoint: '/v1/system-keys', ...o });
  }
  /** A user's or team's direct connection roles (`/v1/users/{id}/connections`, `/v1/teams/{id}/connections`). */
  listConnectionMemberships(
    kind: GroupMemberKind,
    id: string,
    o: PageOptions,
  ): Promise<ApiPage<FivetranMembership>> {
    return this.client.page({ ...memberPath(kind, id, 'connections'), ...o });
  }

  /** Every page of one user's or team's connection memberships. */
  allConnectionMemberships(kind: GroupMemberKind, id: string, o: CallOptions): Promise<FivetranMembership[]> {
    return this.client.all({ ...memberPath(kind, id, 'connections'), signal: o.signal });
  }

  getUser(userId: string, o: CallOptions): Promise<FivetranUser | undefined> {
    return this.#optional(this.#read('/v1/users/{userId}', { userId }, 'id', o));
  }
  inviteUser(body: InviteUserBody, o: CallOptions): Promise<FivetranUser> {
    return this.#required(this.client.request({ method: 'POST', endpoint: '/v1/users', body, ...o }));
  }
  patchUser(
    userId: string,
    body: { readonly role?: string },
    o: CallOptions,
  ): Promise<FivetranUser | undefined> {
    return this.#call('PATCH', '/v1/users/{userId}', { userId }, o, body);
  }
  deleteUser(userId: string, o: CallOptions): Promise<void> {
    return this.#void(this.#call('DELETE', '/v1/users/{userId}', { userId }, o));
  }
  deleteUserRole(userId: string, o: CallOptions): Promise<void> {
    return this.#void(this.#call('DELETE', '/v1/users/{userId}/role', { userId }, o));
  }

  getGroup(groupId: string, o: CallOptions): Promise<FivetranGroup | undefined> {
    return this.#optional(this.#read('/v1/groups/{groupId}', { groupId }, 'id', o));
  }

  getTeam(teamId: string, o: CallOptions): Promise<FivetranTeam | undefined> {
    return this.#optional(this.#read('/v1/teams/{teamId}', { teamId }, 'id', o));
  }
  patchTeam(
    teamId: string,
    body: { readonly role?: string },
    o: CallOptions,
  ): Promise<FivetranTeam | undefined> {
    return this.#call('PATCH', '/v1/teams/{teamId}', { teamId }, o, body);
  }
  deleteTeamRole(teamId: string, o: CallOptions): Promise<void> {
    return this.#void(this.#call('DELETE', '/v1/teams/{teamId}/role', { teamId }, o));
  }

  getTeamUser(teamId: string, userId: string, o: CallOptions): Promise<FivetranTeamUser | undefined> {
    const endpoint = '/v1/teams/{teamId}/users/{userId}';
    return this.#optional(this.#read(endpoint, { teamId, userId }, 'user_id', o));
  }
  addTeamUser(teamId: string, userId: string, role: string, o: CallOptions): Promise<void> {
    const body = { user_id: userId, role };
    return this.#void(this.#call('POST', '/v1/teams/{teamId}/users', { teamId }, o, body));
  }
  patchTeamUser(teamId: string, userId: string, role: string, o: CallOptions): Promise<void> {
    const params = { teamId, userId };
    return this.#void(this.#call('PATCH', '/v1/teams/{teamId}/users/{userId}', params, o, { role }));
  }
  deleteTeamUser(teamId: string, userId: string, o: CallOptions): Promise<void> {
    return this.#void(this.#call('DELETE', '/v1/teams/{teamId}/users/{userId}', { teamId, userId }, o));
  }

  /** A user's or team's role on a group or a connection; undefined when it holds none there. */
  getMember(m: MembershipRef, o: CallOptions): Promise<FivetranMembership | undefined> {
    const { endpoint, params } = memberPath(m.kind, m.id, m.collection, m.targetId);
    return this.#optional(this.#read(endpoint, params, 'id', o));
  }
  addMember(m: MembershipRef, role: string, o: CallOptions): Promise<void> {
    const { endpoint, params } = memberPath(m.kind, m.id, m.collection);
    return this.#void(this.#call('POST', endpoint, params, o, { id: m.targetId, role }));
  }
  patchMember(m: MembershipRef, role: string, o: CallOptions): Promise<void> {
    const { endpoint, params } = memberPath(m.kind, m.id, m.collection, m.targetId);
    return this.#void(this.#call('PATCH', endpoint, params, o, { role }));
  }
  deleteMember(m: MembershipRef, o: CallOptions): Promise<void> {
    const { endpoint, params } = memberPath(m.kind, m.id, m.collection, m.targetId);
    return this.#void(this.#call('DELETE', endpoint, params, o));
  }

  /** A GET of one object, which must carry `idKey`. */
  #read<T>(endpoint: string, params: Record<string, string>, idKey: string, o: CallOptions) {
    const shape = { kind: 'object', idKey } as const;
    return this.client.request<T>({ method: 'GET', endpoint, params, shape, signal: o.signal });
  }

  #call<T>(
    method: HttpMethod,
    endpoint: string,
    params: Record<string, string>,
    o: CallOptions,
    body?: unknown,
  ): Promise<T | undefined> {
    return this.client.request<T>({ method, endpoint, params, body, signal: o.signal });
  }

  async #optional<T>(p: Promise<T | undefined>): Promise<T | undefined> {
    try {
      return await p;
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  async #required<T>(p: Promise<T | undefined>): Promise<T> {
    const v = await p;
    if (v === undefined || v === null) {
      throw internal('baton-fivetran: Fivetran answered 2xx without the expected data');
    }
    return v;
  }

  async #void(p: Promise<unknown>): Promise<void> {
    await p;
  }
}
