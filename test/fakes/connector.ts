import type {
  Connector,
  ConnectorMetadata,
  Entitlement,
  Grant,
  ListRequest,
  Page,
  Purpose,
  Resource,
  ResourceId,
  ResourceSyncer,
  ResourceType,
  ValidateResult,
} from '../../src/connector/index.js';
import {
  annotations,
  entitlementId,
  grantId,
  resourceId,
  resourceKey,
  toStruct,
  traitAnnotationName,
  withoutAnnotation,
} from '../../src/connector/index.js';

export type FakeMethod = 'list' | 'entitlements' | 'grants' | 'typeGrants';

export interface FakeCall {
  readonly method: FakeMethod | 'validate' | 'get';
  readonly resourceTypeId?: string;
  /** The resource (entitlements, grants) or the parent (list), as `type:id`. */
  readonly resourceId?: string;
  readonly pageToken?: string;
  readonly pageSize?: number;
}

export interface FakeUser {
  readonly id: string;
  readonly email: string;
  readonly givenName?: string;
  readonly familyName?: string;
  readonly isActive?: boolean;
  readonly isServiceAccount?: boolean;
  role?: string;
}

export interface FakeRole {
  readonly name: string;
  readonly description?: string;
  /** Fivetran role scopes: `ACCOUNT` roles are resources, `DESTINATION` ones become group entitlements. */
  readonly scopes: readonly string[];
}

type Intercept = (
  page: Page<Resource | Entitlement | Grant>,
  call: FakeCall,
) => Page<Resource | Entitlement | Grant>;

export const userType: ResourceType = {
  id: 'user',
  displayName: 'User',
  traits: ['TRAIT_USER'],
  annotations: [annotations.skipEntitlementsAndGrants()],
};
export const groupType: ResourceType = { id: 'group', displayName: 'Group', traits: ['TRAIT_GROUP'] };
export const teamType: ResourceType = { id: 'team', displayName: 'Team', traits: ['TRAIT_GROUP'] };
export const roleType: ResourceType = { id: 'role', displayName: 'Role', traits: ['TRAIT_ROLE'] };

/**
 * An in-memory connector shaped like the Fivetran mapping (fivetran-model.md): users, groups, teams and roles,
 * team principals with GrantExpandable, offset page tokens, a call log and fault injection.
 */
export class FakeConnector implements Connector {
  readonly calls: FakeCall[] = [];
  /** Most items any page returns, whatever the engine asks for. */
  maxPageSize = 1000;
  validateError: Error | undefined;
  readonly #users = new Map<string, FakeUser>();
  readonly #groups = new Map<string, string>();
  readonly #teams = new Map<string, { name: string; description?: string; role?: string }>();
  readonly #roles = new Map<string, FakeRole>();
  readonly #teamMembers: { teamId: string; userId: string; isManager: boolean }[] = [];
  readonly #groupMembers: { groupId: string; principal: ResourceId; role: string }[] = [];
  readonly #extraSyncers: ResourceSyncer[] = [];
  readonly #intercepts: { method: FakeMethod; typeId: string; fn: Intercept }[] = [];
  readonly #typeGrantTypes = new Set<string>();
  readonly #getterTypes = new Set<string>();
  readonly #hooks: ((call: FakeCall, signal: AbortSignal) => void | Promise<void>)[] = [];

  addUser(id: string, f: Partial<Omit<FakeUser, 'id'>> = {}): this {
    this.#users.set(id, { id, email: `${id}@example.com`, ...f });
    return this;
  }
  removeUser(id: string): this {
    this.#users.delete(id);
    return this;
  }
  addGroup(id: string, name = id): this {
    this.#groups.set(id, name);
    return this;
  }
  addTeam(id: string, f: { name?: string; description?: string } = {}): this {
    this.#teams.set(id, { name: f.name ?? id, ...(f.description ? { description: f.description } : {}) });
    return this;
  }
  addRole(name: string, f: { description?: string; scopes?: readonly string[] } = {}): this {
    this.#roles.set(name, { ...f, name, scopes: f.scopes ?? ['ACCOUNT'] });
    return this;
  }
  /** `team:<t>:member` for the user, plus `team:<t>:manager` when a manager. Ids need not exist. */
  addTeamMember(teamId: string, userId: string, f: { isManager?: boolean } = {}): this {
    this.#teamMembers.push({ teamId, userId, isManager: f.isManager === true });
    return this;
  }
  /** `group:<g>:<role>` for a user or team principal. */
  addGroupMember(groupId: string, principal: ResourceId, role: string): this {
    this.#groupMembers.push({ groupId, principal, role });
    return this;
  }
  /** The account role of a user or team: `role:<r>:assigned`. */
  assignRole(role: string, principal: ResourceId): this {
    if (principal.resourceType === 'user') this.#user(principal.resource).role = role;
    else this.#teams.get(principal.resource)!.role = role;
    return this;
  }
  addSyncer(syncer: ResourceSyncer): this {
    this.#extraSyncers.push(syncer);
    return this;
  }
  /** Grants of this type come from one `typeGrants` listing instead of one per resource. */
  useTypeGrants(resourceTypeId: string): this {
    this.#typeGrantTypes.add(resourceTypeId);
    return this;
  }
  /** This type can fetch one resource by id (`get`), so it can be the target of a targeted sync. */
  useGet(...resourceTypeIds: string[]): this {
    for (const id of resourceTypeIds) this.#getterTypes.add(id);
    return this;
  }
  /** Rewrites every page a method returns for a type (fault injection). */
  intercept(method: FakeMethod, resourceTypeId: string, fn: Intercept): this {
    this.#intercepts.push({ method, typeId: resourceTypeId, fn });
    return this;
  }
  /** The listing returns the page token it was given (or a fixed one on the first page). */
  repeatPageToken(method: FakeMethod, resourceTypeId: string): this {
    return this.intercept(method, resourceTypeId, (p, call) => ({
      ...p,
      nextPageToken: call.pageToken ?? 'stuck',
    }));
  }
  /** Resources of this type come without their trait annotation. */
  omitTraits(resourceTypeId: string): this {
    return this.intercept('list', resourceTypeId, (p) => ({
      ...p,
      items: (p.items as Resource[]).map((r) => ({
        ...r,
        annotations: Object.values(traitAnnotationName).reduce(
          (a, n) => withoutAnnotation(a, n),
          r.annotations,
        ),
      })),
    }));
  }
  /** Runs before each call is answered (and may throw); e.g. to abort a sync mid-way or wait. */
  onCall(hook: (call: FakeCall, signal: AbortSignal) => void | Promise<void>): this {
    this.#hooks.push(hook);
    return this;
  }

  metadata(): ConnectorMetadata {
    return { displayName: 'Fake', description: 'In-memory connector for tests' };
  }

  async validate(o: { signal: AbortSignal }): Promise<ValidateResult> {
    await this.#record({ method: 'validate' }, o.signal);
    if (this.validateError) throw this.validateError;
    return { details: { users: String(this.#users.size) } };
  }

  resourceSyncers(): readonly ResourceSyncer[] {
    const build = (
      type: ResourceType,
      f: {
        /** Thunks, so a page builds only its own resources. */
        list: () => (() => Resource)[];
        entitlements: (r: Resource) => Entitlement[];
        grants: (r: Resource) => Grant[];
      },
    ): ResourceSyncer => {
      const syncer: ResourceSyncer = {
        resourceType: type,
        list: (parent, req) =>
          this.#page('list', type.id, parent ? resourceKey(parent) : undefined, req, () =>
            parent ? [] : f.list(),
          ),
        entitlements: (r, req) =>
          this.#page('entitlements', type.id, resourceKey(r.id), req, () => eager(f.entitlements(r))),
        grants: (r, req) => this.#page('grants', type.id, resourceKey(r.id), req, () => eager(f.grants(r))),
      };
      const withGet = this.#getterTypes.has(type.id)
        ? {
            get: async (id: ResourceId, _parent: ResourceId | undefined, o: { signal: AbortSignal }) => {
              await this.#record(
                { method: 'get', resourceTypeId: type.id, resourceId: resourceKey(id) },
                o.signal,
              );
              return f
                .list()
                .map((r) => r())
                .find((r) => r.id.resource === id.resource);
            },
          }
        : {};
      if (!this.#typeGrantTypes.has(type.id)) return { ...syncer, ...withGet };
      const all = () => eager(f.list().flatMap((r) => f.grants(r())));
      return {
        ...syncer,
        ...withGet,
        typeGrants: (req) => this.#page('typeGrants', type.id, undefined, req, all),
      };
    };
    return [
      build(userType, {
        list: () => [...this.#users.values()].map((u) => () => userResource(u)),
        entitlements: () => [],
        grants: () => [],
      }),
      build(groupType, {
        list: () =>
          [...this.#groups].map(
            ([id, name]) =>
              () =>
                groupResource(id, name),
          ),
        entitlements: (g) =>
          this.#destinationRoles().map((r) => entitlement(g, r.name, 'PERMISSION', [userType, teamType])),
        grants: (g) =>
          this.#groupMembers
            .filter((m) => m.groupId === g.id.resource)
            .map((m) => grant(g, m.role, m.principal)),
      }),
      build(teamType, {
        list: () =>
          [...this.#teams].map(
            ([id, t]) =>
              () =>
                teamResource(id, t),
          ),
        entitlements: (t) => [
          entitlement(t, 'member', 'ASSIGNMENT', [userType]),
          entitlement(t, 'manager', 'PERMISSION', [userType]),
        ],
        grants: (t) =>
          this.#teamMembers
            .filter((m) => m.teamId === t.id.resource)
            .flatMap((m) => {
              const user = resourceId('user', m.userId);
              return m.isManager
                ? [grant(t, 'member', user), grant(t, 'manager', user)]
                : [grant(t, 'member', user)];
            }),
      }),
      build(roleType, {
        list: () =>
          [...this.#roles.values()]
            .filter((r) => r.scopes.includes('ACCOUNT'))
            .map((r) => () => roleResource(r)),
        entitlements: (r) => [entitlement(r, 'assigned', 'ASSIGNMENT', [userType, teamType])],
        grants: (r) => [
          ...[...this.#users.values()]
            .filter((u) => u.role === r.id.resource)
            .map((u) => grant(r, 'assigned', resourceId('user', u.id))),
          ...[...this.#teams]
            .filter(([, t]) => t.role === r.id.resource)
            .map(([id]) => grant(r, 'assigned', resourceId('team', id))),
        ],
      }),
      ...this.#extraSyncers,
    ];
  }

  #destinationRoles(): FakeRole[] {
    return [...this.#roles.values()].filter((r) => r.scopes.includes('DESTINATION'));
  }

  #user(id: string): FakeUser {
    const u = this.#users.get(id);
    if (!u) throw new Error(`fake connector: no user ${id}`);
    return u;
  }

  async #record(call: FakeCall, signal: AbortSignal): Promise<void> {
    this.calls.push(call);
    for (const hook of this.#hooks) await hook(call, signal);
    signal.throwIfAborted();
  }

  async #page<T extends Resource | Entitlement | Grant>(
    method: FakeMethod,
    typeId: string,
    resourceId: string | undefined,
    req: ListRequest,
    all: () => readonly (() => T)[],
  ): Promise<Page<T>> {
    const call: FakeCall = {
      method,
      resourceTypeId: typeId,
      ...(resourceId ? { resourceId } : {}),
      ...(req.pageToken ? { pageToken: req.pageToken } : {}),
      pageSize: req.pageSize,
    };
    await this.#record(call, req.signal);
    const items = all();
    const offset = req.pageToken && /^\d+$/.test(req.pageToken) ? Number(req.pageToken) : 0;
    const size = Math.max(1, Math.min(req.pageSize, this.maxPageSize));
    const end = offset + size;
    let page: Page<Resource | Entitlement | Grant> = {
      items: items.slice(offset, end).map((item) => item()),
      ...(end < items.length ? { nextPageToken: String(end) } : {}),
    };
    for (const i of this.#intercepts) if (i.method === method && i.typeId === typeId) page = i.fn(page, call);
    return page as Page<T>;
  }
}

const eager = <T>(items: readonly T[]): (() => T)[] => items.map((item) => () => item);

export function userResource(u: FakeUser): Resource {
  const name = [u.givenName, u.familyName].filter(Boolean).join(' ');
  const enabled = u.isActive !== false;
  return {
    id: resourceId('user', u.id),
    displayName: name || u.email,
    annotations: [
      annotations.userTrait({
        emails: [{ address: u.email, isPrimary: true }],
        login: u.email,
        status: { status: enabled ? 'STATUS_ENABLED' : 'STATUS_DISABLED' },
        accountType: u.isServiceAccount ? 'ACCOUNT_TYPE_SERVICE' : 'ACCOUNT_TYPE_HUMAN',
        ...(u.givenName || u.familyName
          ? { structuredName: { givenName: u.givenName ?? '', familyName: u.familyName ?? '' } }
          : {}),
      }),
    ],
    profile: toStruct({
      email: u.email,
      given_name: u.givenName,
      family_name: u.familyName,
      role: u.role ?? '',
    }),
    status: { status: enabled ? 'RESOURCE_STATUS_ENABLED' : 'RESOURCE_STATUS_DISABLED' },
  };
}

const groupResource = (id: string, name: string): Resource => ({
  id: resourceId('group', id),
  displayName: name,
  annotations: [annotations.groupTrait({ profile: toStruct({ name }) })],
});

const teamResource = (id: string, t: { name: string; description?: string }): Resource => ({
  id: resourceId('team', id),
  displayName: t.name,
  ...(t.description ? { description: t.description } : {}),
  annotations: [annotations.groupTrait()],
});

const roleResource = (r: FakeRole): Resource => ({
  id: resourceId('role', r.name),
  displayName: r.name,
  ...(r.description ? { description: r.description } : {}),
  annotations: [annotations.roleTrait({ profile: toStruct({ name: r.name, scope: r.scopes.join(',') }) })],
});

function entitlement(
  resource: Resource,
  slug: string,
  purpose: 'ASSIGNMENT' | 'PERMISSION',
  grantableTo: ResourceType[],
): Entitlement {
  return {
    id: entitlementId(resource, slug),
    resource,
    displayName: `${resource.displayName ?? resource.id.resource} ${slug}`,
    slug,
    purpose: `PURPOSE_VALUE_${purpose}` as Purpose,
    grantableTo,
  };
}

/** Like the SDK's NewGrant: a stub entitlement and a principal that is only an id. Teams get GrantExpandable. */
function grant(resource: Resource, slug: string, principal: ResourceId): Grant {
  const ent = entitlementId(resource, slug);
  return {
    id: grantId(ent, principal),
    entitlement: { id: ent, resource },
    principal: { id: principal },
    ...(principal.resourceType === 'team'
      ? { annotations: [annotations.grantExpandable([entitlementId(principal, 'member')])] }
      : {}),
  };
}
