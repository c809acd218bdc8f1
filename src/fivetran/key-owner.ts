import type { CallOptions } from '../connector/index.js';
import type { FivetranAccountInfo, FivetranApi } from './api.js';

/** Who the configured API key belongs to (`GET /v1/account/info`). Never holds the key itself. */
export interface KeyIdentity {
  readonly accountId: string;
  readonly accountName?: string;
  /** Set for a user (scoped) key: the user it belongs to. */
  readonly userId?: string;
  readonly isSystemKey: boolean;
}

const keyIdentity = (info: FivetranAccountInfo): KeyIdentity => ({
  accountId: info.account_id,
  accountName: info.account_name ?? undefined,
  userId: info.user_id || undefined,
  isSystemKey: Boolean(info.system_key_id),
});

/** Remembers the key's identity after the first successful lookup; `validate()` refreshes it. */
export class KeyOwner {
  #identity: KeyIdentity | undefined;

  constructor(readonly api: FivetranApi) {}

  async get(o: CallOptions): Promise<KeyIdentity> {
    return this.#identity ?? this.refresh(o);
  }

  async refresh(o: CallOptions): Promise<KeyIdentity> {
    this.#identity = keyIdentity(await this.api.accountInfo(o));
    return this.#identity;
  }
}
