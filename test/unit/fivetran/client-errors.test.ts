import { inspect } from 'node:util';
import { Code } from '../../../src/connector/index.js';
import type { FivetranClient } from '../../../src/fivetran/index.js';
import { startFakeFivetran, type FakeFivetran } from '../../fakes/fivetran/index.js';
import { caught, clientFor, signal, useFakeFivetran } from './support.js';

const getInfo = (client: FivetranClient, s = signal()) =>
  client.request({ method: 'GET', endpoint: '/v1/account/info', signal: s });

describe('FivetranClient errors and retries', () => {
  let fake: FakeFivetran;
  useFakeFivetran((f) => (fake = f));

  it('maps 400 to INVALID_ARGUMENT with the action, status and Fivetran code, without retrying', async () => {
    const { client } = clientFor(fake);
    const err = await caught(
      client.request({ method: 'POST', endpoint: '/v1/users', body: { email: 'a@b.c' }, signal: signal() }),
    );
    expect(err.code).toBe(Code.INVALID_ARGUMENT);
    expect(err.retryable).toBe(false);
    expect(err.httpStatus).toBe(400);
    expect(err.fivetranCode).toBe('InvalidInput');
    expect(err.message).toMatch(
      /^baton-fivetran: POST \/v1\/users: 400 Bad Request: Field '\w+' is required/,
    );
    expect(fake.requestCount()).toBe(1);
  });

  it.each(['empty', 'json'] as const)(
    'maps 401 with a %s body to UNAUTHENTICATED without leaking the secret',
    async (body) => {
      const other = await startFakeFivetran({ unauthorizedBody: body });
      try {
        const secret = 'not-the-right-secret-0123456789';
        const { client, sink } = clientFor(other, { apiSecret: secret });
        const err = await caught(getInfo(client));
        expect(err.code).toBe(Code.UNAUTHENTICATED);
        expect(err.message).toContain('GET /v1/account/info: 401 Unauthorized');
        expect(err.message).toContain(body === 'empty' ? 'empty response body' : 'code Unauthorized');
        expect(other.requestCount()).toBe(1);
        const everything = [
          err.message,
          JSON.stringify(err),
          inspect(err, { depth: 5 }),
          inspect(client),
          sink.text(),
        ];
        for (const text of everything) expect(text).not.toContain(secret);
      } finally {
        await other.close();
      }
    },
  );

  it('maps 403 to PERMISSION_DENIED with a hint naming the missing key scope', async () => {
    const { client } = clientFor(fake, {
      apiKey: fake.keys.nonAdminUser.key,
      apiSecret: fake.keys.nonAdminUser.secret,
    });
    const teamId = fake.dataset.teams[0]!.id;
    const err = await caught(
      client.request({
        method: 'DELETE',
        endpoint: '/v1/teams/{teamId}/role',
        params: { teamId },
        signal: signal(),
      }),
    );
    expect(err.code).toBe(Code.PERMISSION_DENIED);
    expect(err.message).toContain(`DELETE /v1/teams/${teamId}/role: 403 Forbidden`);
    expect(err.message).toContain(
      'the API key needs TEAM:MANAGE (system key) or an Account Administrator user key',
    );
    expect(err.endpoint).toBe('/v1/teams/{teamId}/role');
    expect(fake.requestCount()).toBe(1);
  });

  it('names USER:MANAGE for user writes and READ scopes for reads', async () => {
    const { client } = clientFor(fake);
    fake.injectFaults({ kind: '403' }, { kind: '403' });
    const write = await caught(
      client.request({
        method: 'DELETE',
        endpoint: '/v1/users/{userId}',
        params: { userId: 'u' },
        signal: signal(),
      }),
    );
    expect(write.message).toContain('USER:MANAGE (system key) or an Account Administrator user key');
    const read = await caught(client.request({ method: 'GET', endpoint: '/v1/groups', signal: signal() }));
    expect(read.message).toContain('DESTINATION:READ');
  });

  it('maps 404 to NOT_FOUND and 409 to ALREADY_EXISTS', async () => {
    const { client } = clientFor(fake);
    const missing = await caught(
      client.request({
        method: 'GET',
        endpoint: '/v1/users/{userId}',
        params: { userId: 'no_such' },
        signal: signal(),
      }),
    );
    expect(missing).toMatchObject({ code: Code.NOT_FOUND, httpStatus: 404, fivetranCode: 'NotFound_User' });
    expect(missing.message).toContain('GET /v1/users/no_such: 404 Not Found');
    const u = fake.dataset.users[5]!;
    const dup = await caught(
      client.request({
        method: 'POST',
        endpoint: '/v1/users',
        body: { email: u.email.toUpperCase(), given_name: 'A', family_name: 'B' },
        signal: signal(),
      }),
    );
    expect(dup).toMatchObject({ code: Code.ALREADY_EXISTS, httpStatus: 409, retryable: false });
    expect(fake.requestCount()).toBe(2);
  });

  it('honours Retry-After on 429 by pausing, then succeeds', async () => {
    const { client, clock, events } = clientFor(fake);
    fake.injectFaults({ kind: '429', retryAfterSeconds: 3 });
    await getInfo(client);
    expect(fake.requestCount()).toBe(2);
    expect(events.retries).toEqual(['rate_limited']);
    expect(events.waits).toEqual([3000]);
    expect(clock.sleeps).toEqual([3000]);
  });

  it('reports the quota left: 0 on a 429, then X-Rate-Limit-Remaining of the next answer', async () => {
    const { client, events } = clientFor(fake);
    fake.injectFaults({ kind: '429', retryAfterSeconds: 1 });
    await getInfo(client);
    expect(events.remaining).toHaveLength(2);
    expect(events.remaining[0]).toBe(0);
    // The fake's hourly budget is 20,000; an injected fault does not count against it, the real answer does.
    expect(events.remaining[1]).toBe(20_000 - 1);
  });

  it('fails at once with the wait attached when Retry-After exceeds the cap', async () => {
    const { client, clock } = clientFor(fake);
    fake.injectFaults({ kind: '429', retryAfterSeconds: 3600 });
    const err = await caught(getInfo(client));
    expect(err).toMatchObject({
      code: Code.UNAVAILABLE,
      retryable: true,
      httpStatus: 429,
      retryAfterMs: 3_600_000,
    });
    expect(err.rateLimit?.remaining).toBe(0);
    expect(err.rateLimit?.resetAt?.getTime()).toBe(clock.nowMs + 3_600_000);
    expect(err.message).toContain('429 Too Many Requests: Max 20000 api calls');
    expect(fake.requestCount()).toBe(1);
    expect(clock.sleeps).toEqual([]);
  });

  it('bounds retries of 5xx and reports UNAVAILABLE after maxRetries + 1 attempts', async () => {
    const { client, clock, events } = clientFor(fake);
    fake.injectFaults(...Array.from({ length: 10 }, () => ({ kind: '500' as const })));
    const err = await caught(getInfo(client));
    expect(err).toMatchObject({ code: Code.UNAVAILABLE, httpStatus: 500, fivetranCode: 'InternalError' });
    expect(fake.requestCount()).toBe(4);
    expect(events.retries).toEqual(['http_500', 'http_500', 'http_500']);
    // Jittered exponential backoff with random()=0.5: 3/4 of 500, 1000, 2000 ms.
    expect(clock.sleeps).toEqual([375, 750, 1500]);
  });

  it('caps each backoff step at maxRetryWaitMs', async () => {
    const { client, clock } = clientFor(fake, { maxRetries: 6, maxRetryWaitMs: 1000 });
    fake.injectFaults(...Array.from({ length: 6 }, () => ({ kind: '500' as const })));
    await getInfo(client);
    expect(Math.max(...clock.sleeps)).toBeLessThanOrEqual(1000);
    expect(fake.requestCount()).toBe(7);
  });

  it('copes with an HTML 502 body and retries it', async () => {
    const { client } = clientFor(fake, { maxRetries: 0 });
    fake.injectFaults({ kind: 'html502' });
    const err = await caught(getInfo(client));
    expect(err.code).toBe(Code.UNAVAILABLE);
    expect(err.message).toBe(
      'baton-fivetran: GET /v1/account/info: 502 Bad Gateway: non-JSON response body (text/html)',
    );
    const retrying = clientFor(fake);
    fake.injectFaults({ kind: 'html502' });
    await expect(getInfo(retrying.client)).resolves.toMatchObject({ account_id: fake.dataset.accountId });
  });

  it('retries a timed-out attempt and a reset connection', async () => {
    // A timeout generous enough that a loaded machine never times out the healthy third attempt.
    const { client, events } = clientFor(fake, { timeoutMs: 400 });
    fake.injectFaults({ kind: 'timeout', ms: 2_000 }, { kind: 'reset' });
    await expect(getInfo(client)).resolves.toMatchObject({ account_id: fake.dataset.accountId });
    expect(fake.requestCount()).toBe(3);
    expect(events.retries).toEqual(['network', 'network']);
    expect(events.statuses).toEqual([0, 0, 200]);
  });

  it('reports a timeout as UNAVAILABLE when retries run out', async () => {
    const { client } = clientFor(fake, { timeoutMs: 100, maxRetries: 1 });
    fake.injectFaults({ kind: 'timeout', ms: 2_000 }, { kind: 'timeout', ms: 2_000 });
    const err = await caught(getInfo(client));
    expect(err.code).toBe(Code.UNAVAILABLE);
    expect(err.message).toMatch(/^baton-fivetran: GET \/v1\/account\/info: network error: ETIMEDOUT/);
    expect(fake.requestCount()).toBe(2);
  });

  it('stops retrying when the signal aborts during a backoff wait', async () => {
    const controller = new AbortController();
    const { client } = clientFor(fake, {
      metrics: { onRetry: () => controller.abort(new Error('shutdown')) },
    });
    fake.injectFaults({ kind: '500' }, { kind: '500' });
    const err = await caught(getInfo(client, controller.signal));
    expect(err.code).toBe(Code.CANCELLED);
    expect(fake.requestCount()).toBe(1);
  });

  it('abandons a request in flight as soon as the signal aborts, without a retry', async () => {
    const controller = new AbortController();
    // Neither the per-attempt timeout nor the fake's delay can end the call within the test's time.
    const { client, events } = clientFor(fake, { timeoutMs: 600_000 });
    fake.injectFaults({ kind: 'timeout', ms: 600_000 });
    const pending = caught(getInfo(client, controller.signal));
    while (fake.requestCount() === 0) await new Promise((r) => setTimeout(r, 5));
    controller.abort(new Error('shutdown'));
    const err = await pending;
    expect(err.code).toBe(Code.CANCELLED);
    expect(events.retries).toEqual([]);
    expect(fake.requestCount()).toBe(1);
  });

  it('does not start a request when the signal is already aborted', async () => {
    const { client } = clientFor(fake);
    const err = await caught(getInfo(client, AbortSignal.abort()));
    expect(err.code).toBe(Code.CANCELLED);
    expect(fake.requestCount()).toBe(0);
  });

  it('spaces requests out once X-Rate-Limit-Remaining runs low', async () => {
    const small = await startFakeFivetran({ hourlyQuota: 30 });
    try {
      const { client, events } = clientFor(small);
      for (let i = 0; i < 9; i++) await getInfo(client);
      expect(events.waits).toEqual([]);
      await getInfo(client); // remaining is now 20: at the low-water mark
      await getInfo(client);
      // 3,600,000 ms / 30 requests = one request every 120 s.
      expect(events.waits).toEqual([120_000]);
      expect(client.rateLimit).toMatchObject({ limit: 30, remaining: 19 });
    } finally {
      await small.close();
    }
  });
});
