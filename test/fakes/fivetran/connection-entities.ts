/**
 * Connections and system keys as the fake holds them: Fivetran's wire shapes (official OpenAPI
 * `ConnectorResponse` and `SystemKeyResponse`), serialised as-is.
 */

/** `GET /v1/connections` item. `config` stands in for the setup values a client must never copy. */
export interface FakeConnection {
  id: string;
  group_id: string;
  service: string;
  /** The connection's name in the UI. */
  schema: string;
  paused: boolean;
  sync_frequency: number;
  created_at: string;
  connected_by: string;
  status: { setup_state: string; sync_state: string; update_state: string; is_historical_sync: boolean };
  config: Record<string, string>;
}

/** `GET /v1/system-keys` item: `key` is the credential's public half; its secret is never listed. */
export interface FakeSystemKey {
  id: string;
  name: string;
  key: string;
  created_at: string;
  updated_at: string;
  /** Fivetran's field name: when the key expires (or expired); absent for `INFINITE`. */
  expired_at?: string;
  /** Absent when the key was never used. */
  last_used_at?: string;
  permissions: { resource_type: string; access_level: string; resource_filter?: { ids?: string[] } }[];
}

/** A user's or team's role on one connection. */
export interface FakeConnectionMembershipRow {
  /** `user_id` for user rows, `team_id` for team rows. */
  owner_id: string;
  connection_id: string;
  role: string;
  created_at: string;
}
