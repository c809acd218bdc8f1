import type {
  AccountInfo,
  AccountManager,
  CallOptions,
  CreateAccountResult,
  DeleteResult,
  Entitlement,
  Grant,
  ListRequest,
  Page,
  Resource,
  ResourceDeleter,
  ResourceGetter,
  ResourceId,
  ResourceSyncer,
} from '../connector/index.js';
import { rateLimitAnnotations, type FivetranContext } from './fivetran-context.js';
import { USER_TYPE } from './resource-types.js';
import { userResource } from './user-resource.js';
import { createUserAccount, deleteUser } from './user-accounts.js';

/** `user` resources from `GET /v1/users`; creates (invites) and deletes Fivetran users. */
export class UserSyncer implements ResourceSyncer, ResourceGetter, AccountManager, ResourceDeleter {
  readonly resourceType = USER_TYPE;
  readonly credentialOptions = {
    supported: ['CAPABILITY_DETAIL_CREDENTIAL_OPTION_NO_PASSWORD'],
    preferred: 'CAPABILITY_DETAIL_CREDENTIAL_OPTION_NO_PASSWORD',
  } as const;

  constructor(readonly ctx: FivetranContext) {}

  async list(_parent: ResourceId | undefined, req: ListRequest): Promise<Page<Resource>> {
    const roles = await this.ctx.roles.get(req);
    const page = await this.ctx.api.listUsers({ cursor: req.pageToken || undefined, signal: req.signal });
    return {
      items: page.items.map((u) => userResource(u, roles)),
      nextPageToken: page.nextCursor,
      annotations: rateLimitAnnotations(this.ctx),
    };
  }

  /** One user for a targeted sync: `GET /v1/users/<id>`, undefined on 404. */
  async get(id: ResourceId, _parent: ResourceId | undefined, o: CallOptions): Promise<Resource | undefined> {
    const [roles, user] = await Promise.all([this.ctx.roles.get(o), this.ctx.api.getUser(id.resource, o)]);
    return user && userResource(user, roles);
  }

  // The type carries SkipEntitlementsAndGrants: users hold access, they grant none.
  async entitlements(): Promise<Page<Entitlement>> {
    return { items: [] };
  }

  async grants(): Promise<Page<Grant>> {
    return { items: [] };
  }

  createAccount(info: AccountInfo, o: CallOptions): Promise<CreateAccountResult> {
    return createUserAccount(this.ctx, info, o);
  }

  deleteResource(id: ResourceId, _parent: ResourceId | undefined, o: CallOptions): Promise<DeleteResult> {
    return deleteUser(this.ctx, id, o);
  }
}
