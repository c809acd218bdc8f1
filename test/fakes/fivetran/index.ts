export { startFakeFivetran } from './fake-fivetran.js';
export type { FakeFivetran, FakeFivetranOptions, RecordedRequest } from './fake-fivetran.js';
export { generateDataset } from './dataset.js';
export type { FakeConnection, FakeConnectionMembershipRow, FakeSystemKey } from './connection-entities.js';
export type { ConnectionDatasetOptions } from './connection-dataset.js';
export type { DatasetOptions, FakeDataset } from './dataset.js';
export { FakeState } from './fake-state.js';
export type {
  FakeGroup,
  FakeGroupMembershipRow,
  FakeMembership,
  FakeRole,
  FakeTeam,
  FakeTeamGroupRow,
  FakeTeamMembershipRow,
  FakeUser,
  RoleScope,
  UserType,
} from './entities.js';
export type { Fault } from './faults.js';
export type { MalformedBody } from './bad-pages.js';
export type { LastPageCursor } from './http-reply.js';
export { encodeCursor } from './http-reply.js';
export type {
  AccessLevel,
  ApiCredential,
  ApiKeyEntry,
  FakeKeys,
  PermissionResource,
  SystemKeyPermission,
} from './keys.js';
export { ACCOUNT_ADMINISTRATOR, ACCOUNT_LEVEL_ROLES, roleCatalogue } from './role-catalogue.js';
export { minimumSyncRequests } from './sync-requests.js';
