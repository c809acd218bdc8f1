import { inspect } from 'node:util';
import { createPublicKey, generateKeyPairSync, verify } from 'node:crypto';
import { BatonError, Code } from '../../../src/connector/index.js';
import { audienceFor, createClientAssertion } from '../../../src/control-plane/client-assertion.js';
import { parseClientId, parseClientSecret } from '../../../src/control-plane/credentials.js';
import { checkTokenRequest } from '../../fakes/control-plane/token-issuer.js';
import { createClientCredentials } from '../../fakes/control-plane/client-credentials.js';

const jwkSecret = (jwk: object, prefix = 'secret-token:conductorone.com:v1:') =>
  prefix + Buffer.from(JSON.stringify(jwk)).toString('base64url');

const ed25519Jwk = () => generateKeyPairSync('ed25519').privateKey.export({ format: 'jwk' });

function expectInvalid(f: () => unknown, message: RegExp, secret?: string): BatonError {
  let caught: unknown;
  try {
    f();
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(BatonError);
  const err = caught as BatonError;
  expect(err.code).toBe(Code.INVALID_ARGUMENT);
  expect(err.message).toMatch(/^baton-fivetran: /);
  expect(err.message).toMatch(message);
  if (secret) {
    // No part of the secret's key material may leak: not the blob, nor any 8-character slice of it.
    const blob = secret.split(':').reduce((a, b) => (b.length > a.length ? b : a), '');
    const shown = inspect(err, { depth: 5 });
    for (let i = 0; i + 8 <= blob.length; i += 4) expect(shown).not.toContain(blob.slice(i, i + 8));
  }
  return err;
}

describe('parseClientId', () => {
  it('splits at the first @ and then at the first /', () => {
    expect(parseClientId('name@tenant.conductor.one/pcc/x@y')).toEqual({
      clientId: 'name@tenant.conductor.one/pcc/x@y',
      clientName: 'name',
      tokenHost: 'tenant.conductor.one',
    });
    expect(parseClientId('a@b@host:8443/').tokenHost).toBe('b@host:8443');
    expect(parseClientId('a@host:8443/s')).toMatchObject({ clientName: 'a', tokenHost: 'host:8443' });
  });

  it.each(['', 'no-at-sign/suffix', 'name@host-without-slash'])(
    'rejects %j as an invalid client id',
    (id) => {
      expectInvalid(() => parseClientId(id), /invalid client id/);
    },
  );
});

describe('parseClientSecret', () => {
  it('reads the Ed25519 private key from part 4 and signs with it', () => {
    const creds = createClientCredentials();
    const { key, kid } = parseClientSecret(creds.clientSecret);
    expect(kid).toBeUndefined();
    expect(key.asymmetricKeyType).toBe('ed25519');
    expect(createPublicKey(key).export({ format: 'jwk' }).x).toBe(
      creds.publicKey.export({ format: 'jwk' }).x,
    );
  });

  it('keeps the kid of a JWK that has one', () => {
    expect(parseClientSecret(jwkSecret({ ...ed25519Jwk(), kid: 'key-1' })).kid).toBe('key-1');
  });

  it('ignores parts 1 and 2', () => {
    expect(parseClientSecret(jwkSecret(ed25519Jwk(), 'x:y:v1:')).key.type).toBe('private');
  });

  const jwk = ed25519Jwk();
  const publicOnly = { kty: jwk.kty, crv: jwk.crv, x: jwk.x };
  const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ format: 'jwk' });
  const blob = Buffer.from(JSON.stringify(jwk)).toString('base64url');
  it.each([
    ['too few parts', `secret-token:v1:${blob}`, /expected secret-token:<x>:<y>:v1:<key>/],
    ['a wrong version', `secret-token:conductorone.com:v2:${blob}`, /unsupported version/],
    ['padding or non-base64url characters', `secret-token:c:v1:${blob}==`, /base64url/],
    ['a blob that is not JSON', `secret-token:c:v1:${Buffer.from('not json').toString('base64url')}`, /JSON/],
    ['a public key', jwkSecret(publicOnly), /not a private key/],
    ['an RSA key', jwkSecret(rsa), /not an Ed25519 key/],
    ['a corrupt private key', jwkSecret({ ...jwk, d: 'AAAA' }), /not a valid Ed25519 private key/],
  ])('rejects %s without echoing the secret', (_name, secret, message) => {
    expectInvalid(() => parseClientSecret(secret), message, secret);
  });
});

describe('createClientAssertion', () => {
  it('produces the JWS the fake control plane accepts, signed with the secret key', () => {
    const creds = createClientCredentials('conn', 'tenant.example.test');
    const { key } = parseClientSecret(creds.clientSecret);
    const now = Date.now();
    const jws = createClientAssertion({ clientId: creds.clientId, audience: creds.audience, key, now });
    const body = new URLSearchParams({
      client_assertion: jws,
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_id: creds.clientId,
      grant_type: 'client_credentials',
    }).toString();
    const check = checkTokenRequest(body, 'application/x-www-form-urlencoded', creds, now);
    expect(check.reason).toBeUndefined();
    const iat = Math.floor(now / 1000);
    expect(check.assertionClaims).toEqual({
      aud: 'tenant.example.test',
      exp: iat + 120,
      iat,
      iss: creds.clientId,
      nbf: iat - 120,
      sub: creds.clientId,
    });
    const [h = '', p = '', s = ''] = jws.split('.');
    expect(verify(null, Buffer.from(`${h}.${p}`), creds.publicKey, Buffer.from(s, 'base64url'))).toBe(true);
  });

  it('puts a 32-hex nonce from 16 random bytes, and the kid only when given, in the header', () => {
    const { privateKey } = generateKeyPairSync('ed25519');
    const random = (n: number) => Buffer.alloc(n, 0xab);
    const header = (kid?: string) =>
      JSON.parse(
        Buffer.from(
          createClientAssertion({
            clientId: 'a@h/s',
            audience: 'h',
            key: privateKey,
            now: 0,
            random,
            ...(kid ? { kid } : {}),
          }).split('.')[0] ?? '',
          'base64url',
        ).toString(),
      ) as Record<string, unknown>;
    expect(header()).toEqual({ alg: 'EdDSA', nonce: 'ab'.repeat(16) });
    expect(header('k1')).toEqual({ alg: 'EdDSA', kid: 'k1', nonce: 'ab'.repeat(16) });
  });

  it('uses a fresh nonce each time', () => {
    const { privateKey } = generateKeyPairSync('ed25519');
    const nonce = () =>
      createClientAssertion({ clientId: 'a@h/s', audience: 'h', key: privateKey, now: 0 }).split('.')[0];
    expect(nonce()).not.toBe(nonce());
  });

  it.each([
    ['tenant.example.com', 'tenant.example.com'],
    ['tenant.example.com:8443', 'tenant.example.com'],
    ['[::1]:8443', '::1'],
  ])('takes the audience from host %s as %s', (host, aud) => {
    expect(audienceFor(host)).toBe(aud);
  });
});
