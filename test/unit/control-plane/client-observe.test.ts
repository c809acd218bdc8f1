// What GrpcBatonClient reports to metrics: every call with its gRPC code, every token request; and its TLS to
// an IP host (no server name sent, the certificate still checked).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Code } from '../../../src/connector/index.js';
import type { GrpcBatonClient } from '../../../src/control-plane/grpc-baton-client.js';
import { connect as netConnect } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { TlsChannelCredentials, hostOnly } from '../../../src/control-plane/tls-credentials.js';
import { tlsRoots } from '../../../src/control-plane/tls-roots.js';
import { startFakeControlPlane, type FakeControlPlane } from '../../fakes/control-plane/index.js';
import { clientFor, rejection } from './client-harness.js';

describe('GrpcBatonClient observation hooks', () => {
  let cp: FakeControlPlane;
  let client: GrpcBatonClient;
  const calls: [string, string][] = [];
  const refreshes: boolean[] = [];
  beforeAll(async () => {
    cp = await startFakeControlPlane({ nextPollMs: 1000 });
    client = clientFor(cp, {
      onCall: (method, code, durationMs) => {
        expect(durationMs).toBeGreaterThanOrEqual(0);
        calls.push([method, code]);
      },
      onTokenRefresh: (ok) => refreshes.push(ok),
    });
  });
  afterAll(async () => {
    client.close();
    await cp.close();
  });

  it('reports each call with its method and gRPC code name, failures included', async () => {
    await client.hello('');
    await client.getTask();
    cp.failNext('GetTask', Code.UNAVAILABLE);
    expect((await rejection(client.getTask())).code).toBe(Code.UNAVAILABLE);
    expect((await rejection(client.finishTask('A'.repeat(27), { kind: 'success' }))).code).toBe(
      Code.NOT_FOUND,
    );
    expect(calls).toEqual([
      ['Hello', 'OK'],
      ['GetTask', 'OK'],
      ['GetTask', 'UNAVAILABLE'],
      ['FinishTask', 'NOT_FOUND'],
    ]);
  });

  it('reports token requests, failed ones too, and the call that could not get one', async () => {
    const before = refreshes.length;
    const other = await startFakeControlPlane();
    const seen: [string, string][] = [];
    const fresh: boolean[] = [];
    const c = clientFor(other, {
      onCall: (m, code) => seen.push([m, code]),
      onTokenRefresh: (ok) => fresh.push(ok),
    });
    try {
      other.failNext('token', 401);
      await rejection(c.hello(''));
      await c.hello('');
      expect(fresh).toEqual([false, true]);
      expect(seen).toEqual([
        ['Hello', 'UNAUTHENTICATED'],
        ['Hello', 'OK'],
      ]);
    } finally {
      c.close();
      await other.close();
    }
    // The first client fetched one token and reused it for every call.
    expect(refreshes.slice(0, before)).toEqual([true]);
  });
});

describe('TLS to the control plane at an IP address', () => {
  it('connects to 127.0.0.1 (the fake certificate names it) and refuses a certificate it does not trust', async () => {
    const cp = await startFakeControlPlane();
    const ip = `127.0.0.1:${cp.host.split(':').pop()}`;
    const trusting = clientFor(cp, { apiHostOverride: ip });
    const untrusting = clientFor(cp, { apiHostOverride: ip, extraCaPem: '' });
    try {
      await trusting.hello('');
      expect(cp.hellos()).toHaveLength(1);
      // The token request (Node https) and the channel both check the chain: the fake's CA is not in the store.
      const err = await rejection(untrusting.hello(''));
      expect(err.code).toBe(Code.UNAUTHENTICATED);
      expect(err.message).toMatch(/certificate/i);
      expect(cp.hellos()).toHaveLength(1);
    } finally {
      trusting.close();
      untrusting.close();
      await cp.close();
    }
  });

  it("verifies the channel's certificate chain itself and sends no server name for an IP", async () => {
    const cp = await startFakeControlPlane();
    const ip = `127.0.0.1:${cp.host.split(':').pop()}`;
    const handshake = async (roots: string) => {
      const socket = netConnect({ host: '127.0.0.1', port: Number(ip.split(':')[1]) });
      await new Promise((r) => socket.once('connect', r));
      const connector = new TlsChannelCredentials(roots, ip)._createSecureConnector(undefined, {});
      return connector.connect(socket).then(
        (res) => {
          const tls = res.socket as TLSSocket & { servername?: string | false };
          const seen = { secure: res.secure, alpn: tls.alpnProtocol, servername: tls.servername };
          res.socket.destroy();
          return seen;
        },
        (err: Error) => {
          socket.destroy();
          return { error: err.message };
        },
      );
    };
    try {
      expect(await handshake(tlsRoots(cp.caPem))).toEqual({ secure: true, alpn: 'h2', servername: false });
      expect(await handshake(tlsRoots())).toEqual({ error: expect.stringMatching(/certificate/i) });
    } finally {
      await cp.close();
    }
  });

  it.each([
    ['127.0.0.1:8443', '127.0.0.1'],
    ['[::1]:443', '::1'],
    ['[::1]', '::1'],
    ['c1.example.com:443', 'c1.example.com'],
    ['c1.example.com', 'c1.example.com'],
    ['::1', '::1'],
  ])('takes the host of %s', (hostPort, host) => {
    expect(hostOnly(hostPort)).toBe(host);
  });
});
