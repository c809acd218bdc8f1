import type { CallOptions, Clock } from '../connector/index.js';
import type { FivetranApi, FivetranRole } from './api.js';

/** One snapshot of `GET /v1/roles`, with the lookups the mapping needs. */
export class RoleSet {
  readonly #byName: ReadonlyMap<string, FivetranRole>;

  constructor(readonly roles: readonly FivetranRole[]) {
    this.#byName = new Map(roles.map((r) => [r.name, r]));
  }

  get(name: string): FivetranRole | undefined {
    return this.#byName.get(name);
  }

  /**
   * The current name for a role name found in data: deprecated names follow `replacement_role_name`.
   * Empty or null means "no role" (undefined); names missing from the catalogue come back unchanged.
   */
  normalise(name: string | null | undefined): string | undefined {
    let current = name?.trim();
    if (!current) return undefined;
    for (let hops = 0; hops < 5; hops++) {
      const role = this.#byName.get(current);
      if (!role?.is_deprecated || !role.replacement_role_name) break;
      current = role.replacement_role_name;
    }
    return current;
  }

  /** Non-deprecated roles whose scope contains `ACCOUNT`: the `role` resources. */
  accountRoles(): FivetranRole[] {
    return this.roles.filter((r) => !r.is_deprecated && hasScope(r, 'ACCOUNT'));
  }

  /** Non-deprecated roles whose scope contains `DESTINATION`: one group entitlement each. */
  destinationRoles(): FivetranRole[] {
    return this.roles.filter((r) => !r.is_deprecated && hasScope(r, 'DESTINATION'));
  }

  /** Non-deprecated roles whose scope contains `CONNECTOR`: one connection entitlement each. */
  connectionRoles(): FivetranRole[] {
    return this.roles.filter((r) => !r.is_deprecated && hasScope(r, 'CONNECTOR'));
  }

  isConnectionRole(name: string): boolean {
    const r = this.#byName.get(name);
    return r !== undefined && !r.is_deprecated && hasScope(r, 'CONNECTOR');
  }

  isAccountRole(name: string): boolean {
    const r = this.#byName.get(name);
    return r !== undefined && !r.is_deprecated && hasScope(r, 'ACCOUNT');
  }

  isDestinationRole(name: string): boolean {
    const r = this.#byName.get(name);
    return r !== undefined && !r.is_deprecated && hasScope(r, 'DESTINATION');
  }
}

const hasScope = (r: FivetranRole, scope: string): boolean => (r.scope ?? []).includes(scope);

export interface RoleCatalogueOptions {
  readonly api: FivetranApi;
  readonly clock: Clock;
  /** How long a snapshot serves callers that do not ask for a refresh (default 10 minutes). */
  readonly ttlMs?: number;
}

/**
 * The role catalogue, fetched once and shared. The role syncer asks for a snapshot at most a minute old
 * when a sync lists roles, so each sync sees current roles; entitlement, grant and provisioning calls
 * reuse that snapshot until the TTL runs out. Concurrent loads share one request.
 */
export class RoleCatalogue {
  readonly #o: RoleCatalogueOptions;
  #snapshot: { readonly set: RoleSet; readonly fetchedAt: number } | undefined;
  #inflight: Promise<RoleSet> | undefined;

  constructor(o: RoleCatalogueOptions) {
    this.#o = o;
  }

  /** The catalogue, refetched when older than `maxAgeMs` (default: the TTL). */
  async get(o: CallOptions & { readonly maxAgeMs?: number }): Promise<RoleSet> {
    const maxAgeMs = o.maxAgeMs ?? this.#o.ttlMs ?? 600_000;
    const snap = this.#snapshot;
    if (snap && this.#o.clock.now() - snap.fetchedAt < maxAgeMs) return snap.set;
    this.#inflight ??= this.#load(o).finally(() => {
      this.#inflight = undefined;
    });
    return this.#inflight;
  }

  async #load(o: CallOptions): Promise<RoleSet> {
    const set = new RoleSet(await this.#o.api.listAllRoles(o));
    this.#snapshot = { set, fetchedAt: this.#o.clock.now() };
    return set;
  }
}
