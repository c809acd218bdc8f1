import type { FakeMembership } from './entities.js';
import type { FakeState } from './fake-state.js';
import { conflict, created, FakeHttpError, ok, paginate, requiredString } from './http-reply.js';
import type { Route, RouteContext } from './route.js';

type Edges = ReadonlyMap<string, ReadonlyMap<string, FakeMembership>>;

/** One owner → member collection with a role per edge, e.g. `/teams/:teamId/users/:userId`. */
export interface MembershipSpec {
  /** One membership, e.g. `/teams/:teamId/users/:userId`; the collection is the path without its last part. */
  readonly path: string;
  /** Body field naming the member on POST. */
  readonly memberField: string;
  findOwner(state: FakeState, id: string): { readonly id: string };
  findMember(state: FakeState, id: string): { readonly id: string };
  edges(state: FakeState): Edges;
  link(state: FakeState, ownerId: string, memberId: string, role: string): FakeMembership;
  unlink(state: FakeState, ownerId: string, memberId: string): boolean;
  item(memberId: string, m: FakeMembership): object;
  /** The role a PATCH sets, and a POST too unless `addRole` is given. */
  role(ctx: RouteContext): string;
  addRole?(ctx: RouteContext): string;
  /** Read after the owner is found; keeps the listed members it accepts. */
  listFilter?(ctx: RouteContext): ((memberId: string) => boolean) | undefined;
  /** Whether PATCH answers with the updated item. */
  readonly updateEchoes?: boolean;
  readonly messages: {
    notMember(ownerId: string, memberId: string): string;
    alreadyMember(ownerId: string, memberId: string): string;
    readonly listed: string;
    readonly added: string;
    readonly read: string;
    readonly updated: string;
    readonly removed: string;
  };
}

/** List, add, read, update and remove routes of one membership collection, in that order. */
export function membershipRoutes(spec: MembershipSpec): Route[] {
  const { messages: text, path: one } = spec;
  const [, collection, ownerParam, memberParam] = /^(.*\/:(\w+)\/\w+)\/:(\w+)$/.exec(one)!;
  const owner = (ctx: RouteContext) => spec.findOwner(ctx.state, ctx.params[ownerParam!]!);

  const edge = (ctx: RouteContext) => {
    const o = owner(ctx);
    const member = spec.findMember(ctx.state, ctx.params[memberParam!]!);
    const found = spec.edges(ctx.state).get(o.id)?.get(member.id);
    if (!found) throw new FakeHttpError(404, 'NotFound', text.notMember(o.id, member.id));
    return { owner: o, member, found };
  };

  const list = (ctx: RouteContext) => {
    const o = owner(ctx);
    const keep = spec.listFilter?.(ctx);
    let rows = [...(spec.edges(ctx.state).get(o.id) ?? [])];
    if (keep) rows = rows.filter(([memberId]) => keep(memberId));
    const page = paginate(rows, ctx.query, ctx.pageStyle);
    return ok(text.listed, { ...page, items: page.items.map(([id, m]) => spec.item(id, m)) });
  };

  const add = (ctx: RouteContext) => {
    const o = owner(ctx);
    const memberId = requiredString(ctx.body, spec.memberField);
    const role = (spec.addRole ?? spec.role)(ctx);
    spec.findMember(ctx.state, memberId);
    if (spec.edges(ctx.state).get(o.id)?.has(memberId)) throw conflict(text.alreadyMember(o.id, memberId));
    return created(text.added, spec.item(memberId, spec.link(ctx.state, o.id, memberId, role)));
  };

  return [
    { method: 'GET', path: collection!, handle: list },
    { method: 'POST', path: collection!, handle: add },
    {
      method: 'GET',
      path: one,
      handle: (ctx) => {
        const { member, found } = edge(ctx);
        return ok(text.read, spec.item(member.id, found));
      },
    },
    {
      method: 'PATCH',
      path: one,
      handle: (ctx) => {
        const { member, found } = edge(ctx);
        found.role = spec.role(ctx);
        return spec.updateEchoes ? ok(text.updated, spec.item(member.id, found)) : ok(text.updated);
      },
    },
    {
      method: 'DELETE',
      path: one,
      handle: (ctx) => {
        const { owner: o, member } = edge(ctx);
        spec.unlink(ctx.state, o.id, member.id);
        return ok(text.removed);
      },
    },
  ];
}
