import type {
  AccountManager,
  Connector,
  Provisioner,
  ResourceDeleter,
  ResourceGetter,
  ResourceSyncer,
} from './connector.js';
import { isAccountManager, isProvisioner, isResourceDeleter, isResourceGetter } from './connector.js';
import { internal, notFound, unimplemented } from './errors.js';
import type { Capability, ConnectorCapabilities, ConnectorMetadata, ResourceType } from './model.js';

/**
 * What a connector can do, per resource type, discovered once from its syncers.
 * Capabilities are derived from what is registered, so metadata cannot claim what is not there.
 */
export class ConnectorRegistry {
  readonly syncers: ReadonlyMap<string, ResourceSyncer>;
  readonly #provisioners = new Map<string, Provisioner>();
  readonly #accountManagers = new Map<string, AccountManager>();
  readonly #deleters = new Map<string, ResourceDeleter>();
  readonly #getters = new Map<string, ResourceGetter>();

  constructor(readonly connector: Connector) {
    const syncers = new Map<string, ResourceSyncer>();
    for (const s of connector.resourceSyncers()) {
      const id = s.resourceType.id;
      if (!id) throw internal('baton-fivetran: a resource syncer has an empty resource type id');
      if (syncers.has(id)) throw internal(`baton-fivetran: duplicate resource syncer for type "${id}"`);
      syncers.set(id, s);
      if (isProvisioner(s)) this.#provisioners.set(id, s);
      if (isAccountManager(s)) this.#accountManagers.set(id, s);
      if (isResourceDeleter(s)) this.#deleters.set(id, s);
      if (isResourceGetter(s)) this.#getters.set(id, s);
    }
    this.syncers = syncers;
  }

  resourceTypes(): ResourceType[] {
    return [...this.syncers.values()].map((s) => s.resourceType);
  }

  syncer(typeId: string): ResourceSyncer {
    const s = this.syncers.get(typeId);
    if (!s) throw notFound(`baton-fivetran: unknown resource type "${typeId}"`);
    return s;
  }

  provisioner(typeId: string): Provisioner {
    this.syncer(typeId);
    const p = this.#provisioners.get(typeId);
    if (!p) throw unimplemented(`baton-fivetran: resource type "${typeId}" does not support grant or revoke`);
    return p;
  }

  accountManager(typeId: string): AccountManager {
    this.syncer(typeId);
    const m = this.#accountManagers.get(typeId);
    if (!m)
      throw unimplemented(`baton-fivetran: resource type "${typeId}" does not support account creation`);
    return m;
  }

  /** The account manager to use when a task names no resource type: the only one, if there is one. */
  defaultAccountManagerType(): string | undefined {
    const types = [...this.#accountManagers.keys()];
    return types.length === 1 ? types[0] : undefined;
  }

  deleter(typeId: string): ResourceDeleter {
    this.syncer(typeId);
    const d = this.#deleters.get(typeId);
    if (!d) throw unimplemented(`baton-fivetran: resource type "${typeId}" does not support deletion`);
    return d;
  }

  /** The type's resource getter for targeted syncs; undefined when the type is unknown or has none. */
  getter(typeId: string): ResourceGetter | undefined {
    return this.#getters.get(typeId);
  }

  capabilities(): ConnectorCapabilities {
    const all = new Set<Capability>();
    const perType = [...this.syncers.keys()].sort().map((id) => {
      const caps: Capability[] = ['CAPABILITY_SYNC'];
      // As the SDK: per type TARGETED_SYNC, and the connector as a whole SERVICE_MODE_TARGETED_SYNC.
      if (this.#getters.has(id)) {
        caps.push('CAPABILITY_TARGETED_SYNC');
        all.add('CAPABILITY_SERVICE_MODE_TARGETED_SYNC');
      }
      if (this.#provisioners.has(id)) caps.push('CAPABILITY_PROVISION');
      if (this.#accountManagers.has(id)) caps.push('CAPABILITY_ACCOUNT_PROVISIONING');
      if (this.#deleters.has(id)) caps.push('CAPABILITY_RESOURCE_DELETE');
      // baton-sdk v0.25 defines CAPABILITY_SYNC_SECRETS but never derives it: a type holding secrets says so.
      if (this.syncer(id).resourceType.traits?.includes('TRAIT_SECRET')) caps.push('CAPABILITY_SYNC_SECRETS');
      caps.forEach((c) => all.add(c));
      return { resourceType: this.syncer(id).resourceType, capabilities: caps };
    });
    const order: Capability[] = [
      'CAPABILITY_PROVISION',
      'CAPABILITY_SYNC',
      'CAPABILITY_ACCOUNT_PROVISIONING',
      'CAPABILITY_RESOURCE_DELETE',
      'CAPABILITY_SYNC_SECRETS',
      'CAPABILITY_TARGETED_SYNC',
      'CAPABILITY_SERVICE_MODE_TARGETED_SYNC',
    ];
    const first = [...this.#accountManagers.values()][0];
    return {
      resourceTypeCapabilities: perType,
      connectorCapabilities: order.filter((c) => all.has(c)),
      ...(first
        ? {
            credentialDetails: {
              capabilityAccountProvisioning: {
                supportedCredentialOptions: first.credentialOptions.supported,
                preferredCredentialOption: first.credentialOptions.preferred,
              },
            },
          }
        : {}),
    };
  }

  /** The connector's metadata with capabilities filled in, as sent in Hello. */
  metadata(): ConnectorMetadata {
    return { ...this.connector.metadata(), capabilities: this.capabilities() };
  }
}
