// Plain-object forms of the c1.connector.v2 messages we use, in protobufjs "object" shape
// (camelCase fields, enums as their string names). `src/connector/proto.ts` turns them into bytes.
// An annotation is a google.protobuf.Any in protobufjs JSON form: `{ '@type': typeUrl, ...fields }`.

export type TypeUrl = `type.googleapis.com/${string}`;

export interface AnyMessage {
  readonly '@type': TypeUrl;
  readonly [field: string]: unknown;
}

export type Trait =
  'TRAIT_UNSPECIFIED' | 'TRAIT_USER' | 'TRAIT_GROUP' | 'TRAIT_ROLE' | 'TRAIT_APP' | 'TRAIT_SECRET';

export interface Timestamp {
  readonly seconds: number;
  readonly nanos?: number;
}

export type StructValue =
  | { readonly nullValue: 'NULL_VALUE' }
  | { readonly numberValue: number }
  | { readonly stringValue: string }
  | { readonly boolValue: boolean }
  | { readonly structValue: Struct }
  | { readonly listValue: { readonly values: readonly StructValue[] } };

export interface Struct {
  readonly fields: Readonly<Record<string, StructValue>>;
}

export interface ResourceType {
  readonly id: string;
  readonly displayName: string;
  readonly traits?: readonly Trait[];
  readonly annotations?: readonly AnyMessage[];
  readonly description?: string;
}

export interface ResourceId {
  readonly resourceType: string;
  readonly resource: string;
}

export type ResourceStatusValue =
  | 'RESOURCE_STATUS_UNSPECIFIED'
  | 'RESOURCE_STATUS_ENABLED'
  | 'RESOURCE_STATUS_DISABLED'
  | 'RESOURCE_STATUS_DELETED';

export interface Resource {
  readonly id: ResourceId;
  readonly parentResourceId?: ResourceId;
  readonly displayName?: string;
  readonly annotations?: readonly AnyMessage[];
  readonly description?: string;
  readonly profile?: Struct;
  readonly status?: { readonly status: ResourceStatusValue; readonly details?: string };
  readonly createdAt?: Timestamp;
}

export type Purpose =
  | 'PURPOSE_VALUE_UNSPECIFIED'
  | 'PURPOSE_VALUE_ASSIGNMENT'
  | 'PURPOSE_VALUE_PERMISSION'
  | 'PURPOSE_VALUE_OWNERSHIP';

export interface Entitlement {
  readonly resource: Resource;
  readonly id: string;
  readonly displayName?: string;
  readonly description?: string;
  readonly grantableTo?: readonly ResourceType[];
  readonly annotations?: readonly AnyMessage[];
  readonly purpose?: Purpose;
  readonly slug?: string;
}

export interface GrantSources {
  readonly sources: Readonly<Record<string, { readonly isDirect?: boolean }>>;
}

export interface Grant {
  readonly entitlement: Entitlement;
  readonly principal: Resource;
  readonly id: string;
  readonly annotations?: readonly AnyMessage[];
  readonly sources?: GrantSources;
}

export type Capability =
  | 'CAPABILITY_PROVISION'
  | 'CAPABILITY_SYNC'
  | 'CAPABILITY_ACCOUNT_PROVISIONING'
  | 'CAPABILITY_RESOURCE_DELETE'
  | 'CAPABILITY_SYNC_SECRETS'
  | 'CAPABILITY_TARGETED_SYNC'
  | 'CAPABILITY_SERVICE_MODE_TARGETED_SYNC';

export interface ResourceTypeCapability {
  readonly resourceType: ResourceType;
  readonly capabilities: readonly Capability[];
}

export type CredentialOption =
  | 'CAPABILITY_DETAIL_CREDENTIAL_OPTION_NO_PASSWORD'
  | 'CAPABILITY_DETAIL_CREDENTIAL_OPTION_RANDOM_PASSWORD'
  | 'CAPABILITY_DETAIL_CREDENTIAL_OPTION_SSO';

export interface ConnectorCapabilities {
  readonly resourceTypeCapabilities: readonly ResourceTypeCapability[];
  readonly connectorCapabilities: readonly Capability[];
  readonly credentialDetails?: {
    readonly capabilityAccountProvisioning?: {
      readonly supportedCredentialOptions: readonly CredentialOption[];
      readonly preferredCredentialOption: CredentialOption;
    };
  };
}

export interface AccountCreationField {
  readonly displayName: string;
  readonly required: boolean;
  readonly description?: string;
  readonly placeholder?: string;
  readonly order: number;
  readonly stringField?: { readonly defaultValue?: string };
}

export interface ConnectorMetadata {
  readonly displayName: string;
  readonly helpUrl?: string;
  readonly description?: string;
  readonly capabilities?: ConnectorCapabilities;
  readonly accountCreationSchema?: { readonly fieldMap: Readonly<Record<string, AccountCreationField>> };
  readonly annotations?: readonly AnyMessage[];
}

/** c1.connector.v2.AccountInfo as it arrives in a create_account task. */
export interface AccountInfo {
  readonly emails?: readonly { readonly address: string; readonly isPrimary?: boolean }[];
  readonly login?: string;
  readonly loginAliases?: readonly string[];
  readonly profile?: Struct;
}
