import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Logger } from 'pino';
import { C1zReader, type C1zSyncRun } from '../c1z/index.js';
import type { Config, ProvisioningAction } from '../config/index.js';
import {
  failedPrecondition,
  invalidArgument,
  notFound,
  resourceId,
  toStruct,
  type AccountInfo,
  type ConnectorRegistry,
  type Grant,
  type PlainValue,
  type Resource,
  type ResourceId,
} from '../connector/index.js';

/** What one operation printed as a JSON line on stdout; `result` is the outcome, idempotent ones included. */
export type ProvisioningReport =
  | { readonly result: 'granted' | 'already_exists'; readonly grants: readonly string[] }
  | { readonly result: 'revoked' | 'already_revoked'; readonly grant: string }
  | {
      readonly result: 'created' | 'already_exists' | 'action_required' | 'in_progress';
      readonly resource?: ResourceId;
      readonly message?: string;
    }
  | { readonly result: 'deleted' | 'already_deleted'; readonly resource: ResourceId };

/** How errors and logs name each operation (`grant failed: …`). */
export const operationName = (action: ProvisioningAction): string =>
  ({
    grant: 'grant',
    revoke: 'revoke',
    'create-account': 'create account',
    'delete-resource': 'delete resource',
  })[action.kind];

interface RunOptions {
  readonly action: ProvisioningAction;
  readonly config: Config;
  readonly registry: ConnectorRegistry;
  readonly log: Logger;
  readonly signal: AbortSignal;
}

/**
 * One-shot mode with a provisioning flag: runs that single operation instead of a sync. Grant and revoke read
 * the entitlement, principal or grant from the latest finished sync in `--file`, which is never modified.
 */
export async function runOneShotProvisioning(o: RunOptions): Promise<ProvisioningReport> {
  if (!o.config.sync.provisioning) {
    throw failedPrecondition(
      'baton-fivetran: provisioning is not enabled: set --provisioning ($BATON_PROVISIONING) to allow changes',
    );
  }
  const log = o.log.child({ component: 'one-shot-provisioning', operation: operationName(o.action) });
  const { action, registry, signal } = o;
  switch (action.kind) {
    case 'grant':
      return withSync(o, async (reader, run) => {
        const entitlement = findEntitlement(reader, run, action.entitlementId);
        const principal = findPrincipal(reader, run, action.principalId, action.principalType);
        const provisioner = registry.provisioner(entitlement.resource.id.resourceType);
        const res = await provisioner.grant(principal, entitlement, { signal });
        const report = {
          result: res.alreadyExists ? 'already_exists' : 'granted',
          grants: (res.grants ?? []).map((g) => g.id),
        } as const;
        log.info(
          { resourceId: principal.id.resource, entitlementId: entitlement.id, ...report },
          'grant applied',
        );
        return report;
      });
    case 'revoke':
      return withSync(o, async (reader, run) => {
        const grant = findGrant(reader, run, action.grantId);
        const provisioner = registry.provisioner(grant.entitlement.resource.id.resourceType);
        const res = await provisioner.revoke(grant, { signal });
        const report = {
          result: res.alreadyRevoked ? 'already_revoked' : 'revoked',
          grant: grant.id,
        } as const;
        log.info({ resourceId: grant.principal.id.resource, ...report }, 'grant revoked');
        return report;
      });
    case 'create-account': {
      const typeId = action.resourceTypeId ?? registry.defaultAccountManagerType();
      if (!typeId) {
        throw failedPrecondition(
          'baton-fivetran: create account: the connector has no single account type; set --create-account-resource-type',
        );
      }
      const info: AccountInfo = {
        ...(action.login ? { login: action.login } : {}),
        ...(action.email ? { emails: [{ address: action.email, isPrimary: true }] } : {}),
        ...(action.profile ? { profile: toStruct(action.profile as Record<string, PlainValue>) } : {}),
      };
      const res = await registry.accountManager(typeId).createAccount(info, { signal });
      const report = {
        result: res.kind === 'success' ? 'created' : res.kind,
        ...(res.resource ? { resource: res.resource.id } : {}),
        ...(res.kind === 'action_required' ? { message: res.message } : {}),
      } as const;
      log.info(
        { resourceType: typeId, resourceId: res.resource?.id.resource, result: report.result },
        'account created',
      );
      return report;
    }
    case 'delete-resource': {
      const id = resourceId(action.resourceTypeId, action.resourceId);
      const res = await registry.deleter(id.resourceType).deleteResource(id, undefined, { signal });
      const report = { result: res.alreadyDeleted ? 'already_deleted' : 'deleted', resource: id } as const;
      log.info(
        { resourceType: id.resourceType, resourceId: id.resource, result: report.result },
        'resource deleted',
      );
      return report;
    }
  }
}

/** Opens `--file` read-only at its latest finished sync, runs `fn`, and always closes it. */
async function withSync<T>(
  o: RunOptions,
  fn: (reader: C1zReader, run: C1zSyncRun) => Promise<T>,
): Promise<T> {
  const path = resolve(o.config.sync.file);
  const runFirst = `run a sync first (baton-fivetran -f ${o.config.sync.file})`;
  if (!existsSync(path)) {
    throw failedPrecondition(`baton-fivetran: ${path} does not exist: ${runFirst}`);
  }
  const reader = await C1zReader.open(path, {
    ...(o.config.sync.tempDir ? { tempDir: o.config.sync.tempDir } : {}),
    signal: o.signal,
  });
  try {
    const run = reader.latestFinishedSync('full');
    if (!run) throw failedPrecondition(`baton-fivetran: ${path} holds no finished full sync: ${runFirst}`);
    return await fn(reader, run);
  } finally {
    await reader.close();
  }
}

const notInSync = (what: string, reader: C1zReader, run: C1zSyncRun) =>
  notFound(
    `baton-fivetran: ${what} is not in the latest sync (${run.syncId}) of ${reader.path}: ` +
      'check the id, or run a sync first if it is new',
  );

function findEntitlement(reader: C1zReader, run: C1zSyncRun, id: string) {
  for (const e of reader.entitlements({ syncId: run.syncId })) if (e.id === id) return e;
  throw notInSync(`entitlement "${id}"`, reader, run);
}

function findPrincipal(reader: C1zReader, run: C1zSyncRun, id: string, typeId: string | undefined): Resource {
  const matches: Resource[] = [];
  for (const r of reader.resources({ syncId: run.syncId, ...(typeId ? { resourceTypeId: typeId } : {}) })) {
    if (r.id.resource === id) matches.push(r);
  }
  const [only, other] = matches;
  if (!only) throw notInSync(`principal ${typeId ?? '(any type)'} "${id}"`, reader, run);
  if (other) {
    const types = matches.map((r) => r.id.resourceType).join(', ');
    throw invalidArgument(
      `baton-fivetran: principal "${id}" exists as several types (${types}): set --grant-principal-type`,
    );
  }
  return only;
}

/**
 * Grant ids are `<entitlement id>:<principal type>:<principal id>`, so the grants of each `:`-prefix are read
 * first (an indexed lookup); a full scan covers ids built any other way.
 */
function findGrant(reader: C1zReader, run: C1zSyncRun, id: string): Grant {
  const prefixes = [...id.matchAll(/:/g)].map((m) => id.slice(0, m.index));
  for (const entitlementId of prefixes) {
    for (const g of reader.grants({ syncId: run.syncId, entitlementId }))
      if (g.grant.id === id) return g.grant;
  }
  for (const g of reader.grants({ syncId: run.syncId })) if (g.grant.id === id) return g.grant;
  throw notInSync(`grant "${id}"`, reader, run);
}
