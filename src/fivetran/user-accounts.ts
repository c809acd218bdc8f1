import { BatonError, failedPrecondition, fromStruct, invalidArgument } from '../connector/index.js';
import type {
  AccountInfo,
  CallOptions,
  CreateAccountResult,
  DeleteResult,
  ResourceId,
} from '../connector/index.js';
import type { FivetranUser } from './api.js';
import { isNotFound } from './errors.js';
import type { FivetranContext } from './fivetran-context.js';
import { userResource } from './user-resource.js';

const EMAIL = /^[^@\s]+@[^@\s]+$/;

const profileString = (profile: Record<string, unknown>, key: string): string => {
  const v = profile[key];
  return typeof v === 'string' ? v.trim() : '';
};

/** `POST /v1/users` (an invitation); an email already in the account gives `already_exists`. */
export const createUserAccount = async (
  ctx: FivetranContext,
  info: AccountInfo,
  o: CallOptions,
): Promise<CreateAccountResult> => {
  const profile = fromStruct(info.profile);
  const primary = info.emails?.find((e) => e.isPrimary)?.address ?? info.emails?.[0]?.address;
  const email = profileString(profile, 'email') || primary?.trim() || (info.login ?? '').trim();
  const action = `baton-fivetran: create account ${email || '(no email)'}`;
  if (!EMAIL.test(email)) throw invalidArgument(`${action}: field "email" is required and must be an email`);
  const givenName = profileString(profile, 'given_name');
  const familyName = profileString(profile, 'family_name');
  if (!givenName) throw invalidArgument(`${action}: field "given_name" is required`);
  if (!familyName) throw invalidArgument(`${action}: field "family_name" is required`);

  const roles = await ctx.roles.get(o);
  const requested = profileString(profile, 'role');
  const role = roles.normalise(requested);
  if (role !== undefined && !roles.isAccountRole(role)) {
    const valid = roles.accountRoles().map((r) => r.name);
    throw invalidArgument(`${action}: "${requested}" is not an account role (valid: ${valid.join(', ')})`);
  }

  try {
    const user = await ctx.api.inviteUser(
      { email, given_name: givenName, family_name: familyName, ...(role ? { role } : {}) },
      o,
    );
    return { kind: 'success', resource: userResource(user, roles) };
  } catch (err) {
    if (!isDuplicateEmail(err)) throw err;
    const existing = await findUserByEmail(ctx, email, o);
    if (!existing) throw err;
    ctx.log.info({ resourceId: `user:${existing.id}` }, 'account already exists');
    return { kind: 'already_exists', resource: userResource(existing, roles) };
  }
};

/** 409 is what the fake sends; a 400 that talks about the email existing is accepted too (undocumented). */
const isDuplicateEmail = (err: unknown): boolean =>
  err instanceof BatonError &&
  (err.httpStatus === 409 || (err.httpStatus === 400 && /already|exist/i.test(err.message)));

const findUserByEmail = async (
  ctx: FivetranContext,
  email: string,
  o: CallOptions,
): Promise<FivetranUser | undefined> => {
  const wanted = email.toLowerCase();
  for await (const users of ctx.api.userPages(o)) {
    const hit = users.find((u) => (u.email ?? '').toLowerCase() === wanted);
    if (hit) return hit;
  }
  return undefined;
};

/** `DELETE /v1/users/<u>`; 404 counts as done. Never deletes the user who owns the API key. */
export const deleteUser = async (
  ctx: FivetranContext,
  id: ResourceId,
  o: CallOptions,
): Promise<DeleteResult> => {
  const action = `baton-fivetran: delete ${id.resourceType}:${id.resource}`;
  if (id.resourceType !== 'user' || !id.resource) {
    throw invalidArgument(`${action}: only user resources can be deleted`);
  }
  const owner = await ctx.keyOwner.get(o);
  if (owner.userId !== undefined && owner.userId === id.resource) {
    throw failedPrecondition(
      `${action}: refusing to delete the user who owns the configured API key ` +
        '(it would revoke the connector’s own credentials); use another key or delete this user in Fivetran',
    );
  }
  try {
    await ctx.api.deleteUser(id.resource, o);
    return {};
  } catch (err) {
    if (isNotFound(err)) return { alreadyDeleted: true };
    throw err;
  }
};
