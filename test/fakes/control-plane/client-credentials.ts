import { generateKeyPairSync, type KeyObject } from 'node:crypto';

export interface ClientCredentials {
  /** `<name>@<host>/<suffix>`: iss, sub and client_id of the assertion. */
  readonly clientId: string;
  /** The host part of the client ID without port: the assertion's `aud`. */
  readonly audience: string;
  /** `secret-token:conductorone.com:v1:<base64url JWK of an Ed25519 private key>` */
  readonly clientSecret: string;
  readonly publicKey: KeyObject;
}

/** A fresh Ed25519 key pair packaged as a C1 client secret (spec control-plane §2.1-2.2). */
export function createClientCredentials(
  clientName = 'test-connector',
  audience = 'c1.example.test',
): ClientCredentials {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const jwk = privateKey.export({ format: 'jwk' });
  const blob = Buffer.from(JSON.stringify({ kty: jwk.kty, crv: jwk.crv, x: jwk.x, d: jwk.d })).toString(
    'base64url',
  );
  return {
    clientId: `${clientName}@${audience}/pcc`,
    audience,
    clientSecret: `secret-token:conductorone.com:v1:${blob}`,
    publicKey,
  };
}
