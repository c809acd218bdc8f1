import {
  createHash,
  createPrivateKey,
  generateKeyPairSync,
  randomBytes,
  sign,
  type KeyObject,
} from 'node:crypto';
import { request as httpsRequest } from 'node:https';
import { connect } from 'node:http2';
import * as grpc from '@grpc/grpc-js';
import { decodeMessage, encodeMessage } from '../../../src/connector/proto.js';
import { startFakeControlPlane, type FakeControlPlane } from '../../fakes/control-plane/index.js';

const SERVICE = 'c1.connectorapi.baton.v1.BatonService';
const PKG = 'c1.connectorapi.baton.v1';
type Obj = Record<string, unknown>;

// ---- a small hand-written client -----------------------------------------------------------------------

const secretKey = (clientSecret: string): KeyObject =>
  createPrivateKey({
    key: JSON.parse(Buffer.from(clientSecret.split(':')[3]!, 'base64url').toString('utf8')),
    format: 'jwk',
  });

interface AssertionTweaks {
  header?: Obj;
  claims?: Obj;
  key?: KeyObject;
  nowSec?: number;
}

function assertion(fake: FakeControlPlane, t: AssertionTweaks = {}): string {
  const now = t.nowSec ?? Math.floor(Date.now() / 1000);
  const header = { alg: 'EdDSA', nonce: randomBytes(16).toString('hex'), ...t.header };
  const claims = {
    iss: fake.clientId,
    sub: fake.clientId,
    aud: 'c1.example.test',
    iat: now,
    nbf: now - 120,
    exp: now + 120,
    ...t.claims,
  };
  const b64 = (o: object): string => Buffer.from(JSON.stringify(o)).toString('base64url');
  const input = `${b64(header)}.${b64(claims)}`;
  const sig = sign(null, Buffer.from(input), t.key ?? secretKey(fake.clientSecret));
  return `${input}.${sig.toString('base64url')}`;
}

const tokenForm = (fake: FakeControlPlane, t: AssertionTweaks = {}, extra: Obj = {}): string =>
  new URLSearchParams({
    client_assertion: assertion(fake, t),
    client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
    client_id: fake.clientId,
    grant_type: 'client_credentials',
    ...extra,
  } as Record<string, string>).toString();

interface HttpReply {
  status: number;
  body: Obj;
}

function postToken(fake: FakeControlPlane, body: string, hostname = 'localhost'): Promise<HttpReply> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      {
        hostname,
        port: fake.port,
        path: '/auth/v1/token',
        method: 'POST',
        ca: fake.caPem,
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': 'test-client' },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString()) }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

function postTokenH2(fake: FakeControlPlane, body: string): Promise<HttpReply> {
  return new Promise((resolve, reject) => {
    const session = connect(`https://${fake.host}`, { ca: fake.caPem });
    session.on('error', reject);
    const req = session.request({
      ':method': 'POST',
      ':path': '/auth/v1/token',
      'content-type': 'application/x-www-form-urlencoded',
    });
    let status = 0;
    const chunks: Buffer[] = [];
    req.on('response', (h) => (status = Number(h[':status'])));
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      session.close();
      resolve({ status, body: JSON.parse(Buffer.concat(chunks).toString()) });
    });
    req.end(body);
  });
}

async function goodToken(fake: FakeControlPlane): Promise<string> {
  const reply = await postToken(fake, tokenForm(fake));
  expect(reply.status).toBe(200);
  return reply.body.access_token as string;
}

interface RpcResult {
  code: number;
  details?: string;
  response?: Obj;
}

const metadataFor = (authorization: string | undefined): grpc.Metadata => {
  const md = new grpc.Metadata();
  if (authorization !== undefined) md.set('authorization', authorization);
  return md;
};

const serialize = (method: string) => (v: Obj) =>
  Buffer.from(encodeMessage(`${PKG}.BatonService${method}Request`, v));
const deserialize = (method: string) => (b: Buffer) =>
  decodeMessage<Obj>(`${PKG}.BatonService${method}Response`, b);

function unary(client: grpc.Client, method: string, req: Obj, authorization?: string): Promise<RpcResult> {
  return new Promise((resolve) => {
    client.makeUnaryRequest(
      `/${SERVICE}/${method}`,
      serialize(method),
      deserialize(method),
      req,
      metadataFor(authorization),
      { deadline: Date.now() + 5000 },
      (err, response) =>
        resolve(
          err ? { code: err.code, details: err.details } : { code: 0, ...(response ? { response } : {}) },
        ),
    );
  });
}

function upload(
  client: grpc.Client,
  frames: Obj[],
  authorization: string,
  o: { deadlineMs?: number; halfClose?: boolean } = {},
): Promise<RpcResult> {
  return new Promise((resolve) => {
    const call = client.makeClientStreamRequest(
      `/${SERVICE}/UploadAsset`,
      serialize('UploadAsset'),
      deserialize('UploadAsset'),
      metadataFor(authorization),
      { deadline: Date.now() + (o.deadlineMs ?? 5000) },
      (err, response) =>
        resolve(
          err ? { code: err.code, details: err.details } : { code: 0, ...(response ? { response } : {}) },
        ),
    );
    for (const f of frames) call.write(f);
    if (o.halfClose !== false) call.end();
  });
}

const HOST_ID = 'test-host';
const helloRequest = (taskId = ''): Obj => ({
  hostId: HOST_ID,
  taskId,
  buildInfo: { langVersion: 'node24', package: 'baton-fivetran', packageVersion: '0.1.0' },
  osInfo: {
    hostname: 'h',
    os: 'linux',
    platform: 'debian',
    platformVersion: '12',
    platformFamily: 'debian',
    kernelVersion: '6.1',
    kernelArch: 'x64',
    virtualizationSystem: 'none',
  },
  connectorMetadata: { displayName: 'Fivetran' },
});

// ---- tests ---------------------------------------------------------------------------------------------

describe('fake control plane', () => {
  let fake: FakeControlPlane;
  let client: grpc.Client;

  beforeEach(async () => {
    fake = await startFakeControlPlane();
    client = new grpc.Client(fake.host, grpc.credentials.createSsl(Buffer.from(fake.caPem)));
  });
  afterEach(async () => {
    client.close();
    await fake.close();
  });

  describe('token endpoint', () => {
    it('accepts a well-formed assertion over HTTP/1.1 and HTTP/2 and issues fresh tokens', async () => {
      expect(fake.host).toMatch(/^localhost:\d+$/);
      expect(fake.clientId).toBe('test-connector@c1.example.test/pcc');
      expect(fake.clientSecret).toMatch(/^secret-token:conductorone\.com:v1:[A-Za-z0-9_-]+$/);

      const h1 = await postToken(fake, tokenForm(fake));
      const h2 = await postTokenH2(fake, tokenForm(fake));
      for (const reply of [h1, h2]) {
        expect(reply.status).toBe(200);
        expect(reply.body).toEqual({
          access_token: expect.any(String),
          token_type: 'bearer',
          expires_in: 3600,
        });
      }
      expect(h1.body.access_token).not.toBe(h2.body.access_token);
      expect(fake.tokenRequests.map((r) => [r.httpVersion, r.valid, r.status])).toEqual([
        ['1.1', true, 200],
        ['2.0', true, 200],
      ]);
      expect(fake.tokenRequests[0]).toMatchObject({
        userAgent: 'test-client',
        form: { grant_type: 'client_credentials', client_id: fake.clientId },
        assertionHeader: { alg: 'EdDSA' },
        assertionClaims: { aud: 'c1.example.test', iss: fake.clientId },
      });
    });

    it('serves a certificate valid for 127.0.0.1 too', async () => {
      expect((await postToken(fake, tokenForm(fake), '127.0.0.1')).status).toBe(200);
    });

    it.each<[string, (f: FakeControlPlane) => string, RegExp]>([
      ['aud with the port', (f) => tokenForm(f, { claims: { aud: 'c1.example.test:443' } }), /aud is/],
      ['aud as an array', (f) => tokenForm(f, { claims: { aud: ['c1.example.test'] } }), /aud is/],
      ['an expired assertion', (f) => tokenForm(f, { nowSec: Math.floor(Date.now() / 1000) - 600 }), /iat/],
      ['nbf not iat - 120', (f) => tokenForm(f, { claims: { nbf: Math.floor(Date.now() / 1000) } }), /nbf/],
      [
        'a foreign signing key',
        (f) => tokenForm(f, { key: generateKeyPairSync('ed25519').privateKey }),
        /signature/,
      ],
      ['a typ header', (f) => tokenForm(f, { header: { typ: 'JWT' } }), /header keys/],
      ['an uppercase nonce', (f) => tokenForm(f, { header: { nonce: 'A'.repeat(32) } }), /nonce/],
      ['a jti claim', (f) => tokenForm(f, { claims: { jti: 'x' } }), /claim keys/],
      ['a wrong grant_type', (f) => tokenForm(f, {}, { grant_type: 'password' }), /grant_type/],
      ['an extra form field', (f) => tokenForm(f, {}, { scope: 'all' }), /form keys/],
    ])('rejects %s with 401', async (_name, body, reason) => {
      const reply = await postToken(fake, body(fake));
      expect(reply.status).toBe(401);
      expect(reply.body.error).toBe('invalid_client');
      expect(fake.tokenRequests).toHaveLength(1);
      expect(fake.tokenRequests[0]!.valid).toBe(false);
      expect(fake.tokenRequests[0]!.reason).toMatch(reason);
    });
  });

  describe('bearer enforcement', () => {
    it('answers UNAUTHENTICATED without a valid Bearer token and records every call', async () => {
      const token = await goodToken(fake);
      expect((await unary(client, 'Hello', helloRequest())).code).toBe(grpc.status.UNAUTHENTICATED);
      expect((await unary(client, 'Hello', helloRequest(), `bearer ${token}`)).code).toBe(
        grpc.status.UNAUTHENTICATED,
      );
      expect((await unary(client, 'Hello', helloRequest(), 'Bearer nope')).code).toBe(
        grpc.status.UNAUTHENTICATED,
      );
      expect((await unary(client, 'Hello', helloRequest(), `Bearer ${token}`)).code).toBe(grpc.status.OK);
      fake.expireTokens();
      expect((await unary(client, 'Hello', helloRequest(), `Bearer ${token}`)).code).toBe(
        grpc.status.UNAUTHENTICATED,
      );

      expect(fake.calls.map((c) => c.grpcStatus)).toEqual([16, 16, 16, 0, 16]);
      expect(fake.hellos()).toHaveLength(1);
      expect(fake.calls[3]).toMatchObject({
        method: 'Hello',
        authorization: `Bearer ${token}`,
        request: { hostId: HOST_ID, connectorMetadata: { displayName: 'Fivetran' } },
      });
      expect(fake.calls[3]!.userAgent).toMatch(/grpc-node-js/);
      expect(fake.violations).toEqual([]);
    });

    it.each([
      ['mac', 'MAC'],
      ['BEARER', 'Bearer'],
      ['DPoP', 'DPoP'],
    ])('wants token_type %j sent as %j, as the SDK normalizes it (spec §2.4)', async (tokenType, scheme) => {
      const typed = await startFakeControlPlane({ tokenType });
      const c = new grpc.Client(typed.host, grpc.credentials.createSsl(Buffer.from(typed.caPem)));
      try {
        const token = await goodToken(typed);
        const other = scheme === 'Bearer' ? 'MAC' : 'Bearer';
        expect((await unary(c, 'GetTask', { hostId: HOST_ID }, `${other} ${token}`)).code).toBe(16);
        expect((await unary(c, 'GetTask', { hostId: HOST_ID }, `${scheme} ${token}`)).code).toBe(0);
      } finally {
        c.close();
        await typed.close();
      }
    });

    it('rejects a token once its expires_in has passed', async () => {
      let nowMs = Date.now();
      const timed = await startFakeControlPlane({ tokenTtlSeconds: 60, now: () => nowMs });
      const c = new grpc.Client(timed.host, grpc.credentials.createSsl(Buffer.from(timed.caPem)));
      try {
        const token = await goodToken(timed);
        expect((await unary(c, 'GetTask', { hostId: HOST_ID }, `Bearer ${token}`)).code).toBe(0);
        nowMs += 61_000;
        expect((await unary(c, 'GetTask', { hostId: HOST_ID }, `Bearer ${token}`)).code).toBe(16);
      } finally {
        c.close();
        await timed.close();
      }
    });
  });

  describe('task loop', () => {
    it('hands out queued tasks once, heartbeats, cancels and records FinishTask', async () => {
      const auth = `Bearer ${await goodToken(fake)}`;
      const syncId = fake.enqueueTask({ kind: 'syncFull', payload: { skipExpandGrants: true }, debug: true });
      const grantId = fake.enqueueTask({
        kind: 'grant',
        payload: {
          entitlement: { id: 'team:t1:member', resource: { id: { resourceType: 'team', resource: 't1' } } },
          principal: { id: { resourceType: 'user', resource: 'u1' } },
        },
      });
      expect(syncId).toMatch(/^[a-zA-Z0-9]{27}$/);
      expect(() => fake.enqueueTask({ kind: 'bogus' })).toThrow(/unknown task kind/);

      const first = await unary(client, 'GetTask', { hostId: HOST_ID }, auth);
      expect(first.response).toMatchObject({
        task: { id: syncId, syncFull: { skipExpandGrants: true }, debug: true, taskType: 'syncFull' },
        nextPoll: { nanos: 100_000_000 }, // zero seconds are omitted on the wire
      });
      const second = await unary(client, 'GetTask', { hostId: HOST_ID }, auth);
      expect(second.response).toMatchObject({
        task: { id: grantId, grant: { principal: { id: { resourceType: 'user', resource: 'u1' } } } },
      });
      const idle = await unary(client, 'GetTask', { hostId: HOST_ID }, auth);
      expect(idle.response?.task).toBeUndefined();

      const beat = await unary(client, 'Heartbeat', { hostId: HOST_ID, taskId: syncId }, auth);
      expect(beat.response).toMatchObject({ nextHeartbeat: { seconds: 1 } });
      expect(beat.response?.cancelled).toBeFalsy();
      fake.cancelTask(syncId);
      const cancelled = await unary(client, 'Heartbeat', { hostId: HOST_ID, taskId: syncId }, auth);
      expect(cancelled.response?.cancelled).toBe(true);

      const status = { code: 1, message: 'context canceled' };
      const fin = { hostId: HOST_ID, taskId: syncId, status, error: { nonRetryable: false } };
      expect((await unary(client, 'FinishTask', fin, auth)).code).toBe(0);
      expect(fake.violations).toEqual([]);
      expect((await unary(client, 'FinishTask', fin, auth)).code).toBe(0);
      expect(fake.finishes(syncId)).toHaveLength(2);
      expect(fake.finishes(syncId)[0]).toMatchObject({ status, error: {} });
      expect(fake.heartbeats(syncId)).toHaveLength(2);
      expect(fake.violations).toEqual([`FinishTask #2 for task ${syncId}`]);
    });

    it('validates host_id and task ids', async () => {
      const auth = `Bearer ${await goodToken(fake)}`;
      expect((await unary(client, 'GetTask', { hostId: '' }, auth)).code).toBe(grpc.status.INVALID_ARGUMENT);
      expect((await unary(client, 'GetTask', { hostId: 'x'.repeat(257) }, auth)).code).toBe(3);
      expect((await unary(client, 'Heartbeat', { hostId: HOST_ID, taskId: 'short' }, auth)).code).toBe(3);
      const unknown = 'A'.repeat(27);
      expect((await unary(client, 'Heartbeat', { hostId: HOST_ID, taskId: unknown }, auth)).code).toBe(5);
      expect(
        (await unary(client, 'Hello', { ...helloRequest(), connectorMetadata: undefined }, auth)).code,
      ).toBe(3);
      const noState = { hostId: HOST_ID, taskId: unknown };
      expect((await unary(client, 'FinishTask', noState, auth)).code).toBe(3);
      expect(fake.violations).toEqual([`Heartbeat for unknown task ${unknown}`]);
    });

    it('flags a FinishTask for a hello task, which the SDK answers with Hello only', async () => {
      const auth = `Bearer ${await goodToken(fake)}`;
      const id = fake.enqueueTask({ kind: 'hello' });
      await unary(client, 'GetTask', { hostId: HOST_ID }, auth);
      expect((await unary(client, 'Hello', helloRequest(id), auth)).code).toBe(0);
      expect(fake.hellos()[0]?.taskId).toBe(id);
      await unary(client, 'FinishTask', { hostId: HOST_ID, taskId: id, success: {} }, auth);
      expect(fake.violations).toEqual([`FinishTask for hello task ${id}`]);
    });

    it('flags a FinishTask status that does not fit success or error, and empty build_info (§12.8, §12.12-13)', async () => {
      const auth = `Bearer ${await goodToken(fake)}`;
      const [okId, errId, bigId] = [1, 2, 3].map(() => fake.enqueueTask({ kind: 'grant' }));
      await unary(client, 'GetTasks', { hostId: HOST_ID, pageSize: 3 }, auth);
      const status = { code: 2, message: 'boom' };
      await unary(client, 'FinishTask', { hostId: HOST_ID, taskId: okId, status, success: {} }, auth);
      await unary(
        client,
        'FinishTask',
        { hostId: HOST_ID, taskId: errId, error: { nonRetryable: true } },
        auth,
      );
      const annotations = Array.from({ length: 17 }, () => ({
        '@type': 'type.googleapis.com/c1.connector.v2.ExternalLink',
      }));
      const tooMany = { hostId: HOST_ID, taskId: bigId, success: { annotations } };
      expect((await unary(client, 'FinishTask', tooMany, auth)).code).toBe(grpc.status.INVALID_ARGUMENT);
      const noBuild = { ...helloRequest(), buildInfo: { langVersion: 'node24' } };
      expect((await unary(client, 'Hello', noBuild, auth)).code).toBe(0);
      expect(fake.violations).toEqual([
        `FinishTask success for ${okId} sets status`,
        `FinishTask error for ${errId} has no non-OK status`,
        'Hello has empty build_info fields: package, packageVersion',
      ]);
    });

    it('serves GetTasks pages, skipping known ids', async () => {
      const auth = `Bearer ${await goodToken(fake)}`;
      const ids = [1, 2, 3].map(() => fake.enqueueTask({ kind: 'revoke' }));
      const page = await unary(
        client,
        'GetTasks',
        { hostId: HOST_ID, pageSize: 2, knownTaskIds: [ids[0]] },
        auth,
      );
      expect((page.response?.tasks as Obj[]).map((t) => t.id)).toEqual([ids[1], ids[2]]);
      expect(fake.pendingTaskCount).toBe(1);
    });
  });

  describe('UploadAsset', () => {
    const file = randomBytes(524_288 + 1000);
    const sha = createHash('sha256').update(file).digest();

    it('reassembles the chunks and verifies the checksum', async () => {
      const auth = `Bearer ${await goodToken(fake)}`;
      const taskId = fake.enqueueTask({ kind: 'syncFull' });
      await unary(client, 'GetTask', { hostId: HOST_ID }, auth);
      const frames = [
        { metadata: { hostId: HOST_ID, taskId } },
        { data: { data: file.subarray(0, 524_288) } },
        { data: { data: file.subarray(524_288) } },
        { eof: { sha256Checksum: sha } },
      ];
      expect((await upload(client, frames, auth)).code).toBe(0);
      const [rec] = fake.uploads(taskId);
      expect(rec).toMatchObject({ taskId, hostId: HOST_ID, chunkSizes: [524_288, 1000], sha256Ok: true });
      expect(rec!.bytes.equals(file)).toBe(true);

      const badSum = [...frames.slice(0, 3), { eof: { sha256Checksum: Buffer.alloc(32) } }];
      expect((await upload(client, badSum, auth)).code).toBe(grpc.status.INVALID_ARGUMENT);
      expect(fake.uploads(taskId).map((u) => u.sha256Ok)).toEqual([true, false]);
      expect(fake.violations).toEqual([]);
    });

    it('flags chunks the SDK would not send: all but the last exactly 512 KiB (§6, §12.11)', async () => {
      const auth = `Bearer ${await goodToken(fake)}`;
      const taskId = fake.enqueueTask({ kind: 'syncFull' });
      await unary(client, 'GetTask', { hostId: HOST_ID }, auth);
      const frames = [
        { metadata: { hostId: HOST_ID, taskId } },
        { data: { data: file.subarray(0, 1000) } },
        { data: { data: file.subarray(1000) } },
        { eof: { sha256Checksum: sha } },
      ];
      expect((await upload(client, frames, auth)).code).toBe(0);
      expect(fake.violations).toEqual([`UploadAsset for ${taskId} has data chunks of 1000 bytes`]);
    });

    it('rejects frames out of order and oversized chunks', async () => {
      const auth = `Bearer ${await goodToken(fake)}`;
      const taskId = fake.enqueueTask({ kind: 'syncFull' });
      await unary(client, 'GetTask', { hostId: HOST_ID }, auth);
      const meta = { metadata: { hostId: HOST_ID, taskId } };
      const eof = { eof: { sha256Checksum: sha } };
      const dataFirst = await upload(client, [{ data: { data: file } }, meta, eof], auth);
      expect(dataFirst).toMatchObject({ code: 3, details: expect.stringMatching(/first .* metadata/) });
      const huge = await upload(client, [meta, { data: { data: Buffer.alloc(1024 * 1024 + 1) } }, eof], auth);
      expect(huge).toMatchObject({ code: 3, details: expect.stringMatching(/allowed 1\.\.1048576/) });
      expect((await upload(client, [meta, { data: { data: file } }], auth)).code).toBe(3);
      expect(fake.uploads()).toEqual([]);
    });

    it('is recorded as cancelled when the client gives up before half-closing', async () => {
      const auth = `Bearer ${await goodToken(fake)}`;
      const meta = { metadata: { hostId: HOST_ID, taskId: 'A'.repeat(27) } };
      expect((await unary(client, 'GetTask', { hostId: HOST_ID }, auth)).code).toBe(0); // connect first
      const result = await upload(client, [meta], auth, { deadlineMs: 40, halfClose: false });
      expect(result.code).toBe(grpc.status.DEADLINE_EXCEEDED);
      // Either the fake's own timer or the client's reset ends it; the truncated stream is never served.
      const call = await fake.waitFor(() =>
        fake.calls.find((c) => c.method === 'UploadAsset' && [1, 4].includes(c.grpcStatus)),
      );
      expect(call.timeoutMs).toBeGreaterThan(0);
      expect(call.timeoutMs).toBeLessThanOrEqual(40);
      expect(fake.uploads()).toEqual([]);
      expect(fake.violations).toEqual([]);
    });

    it('answers DEADLINE_EXCEEDED when grpc-timeout runs out before the client half-closes', async () => {
      const auth = `Bearer ${await goodToken(fake)}`;
      const session = connect(`https://${fake.host}`, { ca: fake.caPem });
      try {
        const stream = session.request({
          ':method': 'POST',
          ':path': `/${SERVICE}/UploadAsset`,
          'content-type': 'application/grpc',
          te: 'trailers',
          authorization: auth,
          'grpc-timeout': '30m',
        });
        stream.write(Buffer.from([0, 0, 0, 0, 0])); // an empty frame, then silence
        const trailers = await new Promise<Record<string, unknown>>((resolve) =>
          stream.on('trailers', resolve),
        );
        stream.resume();
        expect(trailers['grpc-status']).toBe('4');
        expect(fake.calls[0]).toMatchObject({ method: 'UploadAsset', timeoutMs: 30, grpcStatus: 4 });
      } finally {
        session.destroy();
      }
    });
  });

  describe('failNext and unknown methods', () => {
    it('fails the next calls of a method with the scripted code, then serves normally', async () => {
      fake.failNext('token', 503);
      expect((await postToken(fake, tokenForm(fake))).status).toBe(503);
      const auth = `Bearer ${await goodToken(fake)}`;
      expect(fake.tokenRequests.map((r) => [r.valid, r.status])).toEqual([
        [true, 503],
        [true, 200],
      ]);

      fake.failNext('GetTask', grpc.status.UNAVAILABLE, 2);
      const codes = [];
      for (let i = 0; i < 3; i++)
        codes.push((await unary(client, 'GetTask', { hostId: HOST_ID }, auth)).code);
      expect(codes).toEqual([14, 14, 0]);
      expect(fake.calls.filter((c) => c.method === 'GetTask').map((c) => c.grpcStatus)).toEqual([14, 14, 0]);
    });

    it('answers UNIMPLEMENTED for StartDebugging and unknown paths', async () => {
      const auth = `Bearer ${await goodToken(fake)}`;
      const result = await new Promise<number>((resolve) =>
        client.makeUnaryRequest(
          `/${SERVICE}/StartDebugging`,
          (v: Obj) => Buffer.from(encodeMessage(`${PKG}.StartDebuggingRequest`, v)),
          (b: Buffer) => b,
          {},
          metadataFor(auth),
          (err) => resolve(err?.code ?? 0),
        ),
      );
      expect(result).toBe(grpc.status.UNIMPLEMENTED);
      expect(fake.calls[0]).toMatchObject({ method: 'StartDebugging', grpcStatus: 12 });
    });
  });

  it('waitFor rejects once its time is up', async () => {
    await expect(fake.waitFor(() => false, 30)).rejects.toThrow(/timed out after 30 ms/);
  });
});
