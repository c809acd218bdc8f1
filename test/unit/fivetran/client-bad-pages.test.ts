import { Code } from '../../../src/connector/index.js';
import { FivetranApi } from '../../../src/fivetran/api.js';
import { generateDataset, type FakeFivetran, type MalformedBody } from '../../fakes/fivetran/index.js';
import { caught, clientFor, signal, useFakeFivetran } from './support.js';

const MAX_RETRIES = 3;

describe('FivetranClient reading a 200 that is not a Fivetran answer', () => {
  let fake: FakeFivetran;
  useFakeFivetran((f) => (fake = f), { dataset: generateDataset({ seed: 4, users: 30 }) });

  const malformed = (body: MalformedBody, match: string, times: number) =>
    fake.injectFaults(...Array.from({ length: times }, () => ({ kind: 'malformed' as const, body, match })));

  it.each<[MalformedBody, RegExp]>([
    ['empty', /an empty body/],
    ['not-json', /a non-JSON body \(text\/plain\)/],
    ['no-envelope', /no "code"/],
    ['array-body', /an array instead of a JSON object/],
    ['null-data', /null as "data" instead of an object/],
    ['no-items', /nothing as "data.items" instead of a list/],
    ['null-items', /null as "data.items" instead of a list/],
    ['error-code', /code "InternalError" instead of "Success"/],
    ['item-without-id', /item 1 of the page without a "id"/],
    ['item-with-empty-id', /item 1 of the page without a "id"/],
    ['number-cursor', /a number as "data.next_cursor"/],
  ])(
    'fails a list page answered 200 with %s: UNAVAILABLE, retried, naming the endpoint',
    async (body, problem) => {
      const { client, events } = clientFor(fake);
      malformed(body, '/users', 1 + MAX_RETRIES);
      const err = await caught(client.page({ endpoint: '/v1/users', signal: signal() }));
      expect(err.code).toBe(Code.UNAVAILABLE);
      expect(err.retryable).toBe(true);
      expect(err.endpoint).toBe('/v1/users');
      expect(err.message).toMatch(/^baton-fivetran: GET \/v1\/users: Fivetran answered 200 with /);
      expect(err.message).toMatch(problem);
      expect(fake.requestCount({ pathPrefix: '/users' })).toBe(1 + MAX_RETRIES);
      expect(events.retries).toEqual(Array(MAX_RETRIES).fill('malformed'));
    },
  );

  it('reads the genuine page when a retry follows one malformed answer', async () => {
    const { client } = clientFor(fake);
    malformed('no-items', '/users', 1);
    const page = await client.page<{ id: string }>({ endpoint: '/v1/users', signal: signal() });
    expect(page.items).toHaveLength(30);
    expect(fake.requestCount({ pathPrefix: '/users' })).toBe(2);
  });

  it('checks team members by user_id, not id', async () => {
    const { client } = clientFor(fake);
    const teamId = fake.dataset.teams.find((t) => (fake.state.teamUsers.get(t.id)?.size ?? 0) > 0)!.id;
    const ok = await client.page({
      endpoint: '/v1/teams/{teamId}/users',
      params: { teamId },
      idKey: 'user_id',
      signal: signal(),
    });
    expect(ok.items.length).toBeGreaterThan(0);
    malformed('item-without-id', '/teams', 1 + MAX_RETRIES);
    const err = await caught(
      client.page({
        endpoint: '/v1/teams/{teamId}/users',
        params: { teamId },
        idKey: 'user_id',
        signal: signal(),
      }),
    );
    expect(err.message).toContain(`GET /v1/teams/${teamId}/users: Fivetran answered 200 with item 1`);
    expect(err.message).toContain('without a "user_id"');
  });

  it('fails account info answered 200 without account_id', async () => {
    const { client } = clientFor(fake, { maxRetries: 0 });
    malformed('no-items', '/account/info', 1);
    const err = await caught(
      client.request({
        method: 'GET',
        endpoint: '/v1/account/info',
        shape: { kind: 'object', idKey: 'account_id' },
        signal: signal(),
      }),
    );
    expect(err).toMatchObject({ code: Code.UNAVAILABLE, retryable: true });
    expect(err.message).toContain(
      'GET /v1/account/info: Fivetran answered 200 with no "account_id" in "data"',
    );
  });
});

describe('FivetranApi single-object reads', () => {
  let fake: FakeFivetran;
  useFakeFivetran((f) => (fake = f), { dataset: generateDataset({ seed: 4, users: 30, groups: 2 }) });

  it('fails a group (targeted sync) answered 200 without its id, instead of storing a group without one', async () => {
    const { client } = clientFor(fake, { maxRetries: 0 });
    const groupId = [...fake.state.groups.keys()][0]!;
    fake.injectFaults({ kind: 'malformed', body: 'no-items', match: `/groups/${groupId}` });
    const err = await caught(new FivetranApi(client).getGroup(groupId, { signal: signal() }));
    expect(err).toMatchObject({ code: Code.UNAVAILABLE, retryable: true });
    expect(err.message).toContain(`GET /v1/groups/${groupId}: Fivetran answered 200 with no "id" in "data"`);
  });
});

describe('FivetranClient.pages on a list that never ends', () => {
  let fake: FakeFivetran;
  useFakeFivetran((f) => (fake = f), { dataset: generateDataset({ seed: 4, users: 2500 }) });

  it('stops at the first page of items all listed before, though every cursor is new', async () => {
    const { client } = clientFor(fake);
    fake.pageForever('/users');
    const err = await caught(client.all({ endpoint: '/v1/users', signal: signal() }));
    expect(err).toMatchObject({ code: Code.UNAVAILABLE, retryable: true });
    expect(err.message).toBe(
      'baton-fivetran: GET /v1/users: page 2 holds only items listed on earlier pages; taken as a list that never ends',
    );
    expect(fake.requestCount({ pathPrefix: '/users' })).toBe(2);
  });

  it('stops after maxListItems / 1000 + 1 pages of new items', async () => {
    // 2500 users in pages of 1000 need 3 pages; a cap of 1000 items allows 2.
    const { client } = clientFor(fake, { maxListItems: 1000 });
    const err = await caught(client.all({ endpoint: '/v1/users', signal: signal() }));
    expect(err.message).toBe(
      'baton-fivetran: GET /v1/users: more than 2 pages, more than the account can hold; taken as a list that never ends',
    );
    expect(fake.requestCount({ pathPrefix: '/users' })).toBe(3);
    const { client: roomy } = clientFor(fake, { maxListItems: 2000 });
    expect(await roomy.all({ endpoint: '/v1/users', signal: signal() })).toHaveLength(2500);
  });
});
