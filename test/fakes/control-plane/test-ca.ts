import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { der } from './der.js';

const OID = {
  ecPublicKey: '1.2.840.10045.2.1',
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  commonName: '2.5.4.3',
  subjectKeyId: '2.5.29.14',
  keyUsage: '2.5.29.15',
  subjectAltName: '2.5.29.17',
  basicConstraints: '2.5.29.19',
  authorityKeyId: '2.5.29.35',
  extKeyUsage: '2.5.29.37',
  serverAuth: '1.3.6.1.5.5.7.3.1',
};

export interface TestPki {
  /** PEM of the self-signed CA: what clients trust (NODE_EXTRA_CA_CERTS, grpc root certs). */
  readonly caPem: string;
  /** PEM chain for the server: leaf then CA. */
  readonly certPem: string;
  readonly keyPem: string;
}

const pem = (label: string, body: Buffer): string =>
  `-----BEGIN ${label}-----\n${body
    .toString('base64')
    .match(/.{1,64}/g)!
    .join('\n')}\n-----END ${label}-----\n`;

const name = (cn: string): Buffer => der.seq(der.set(der.seq(der.oid(OID.commonName), der.utf8(cn))));

const extension = (oid: string, critical: boolean, value: Buffer): Buffer =>
  der.seq(der.oid(oid), ...(critical ? [der.bool(true)] : []), der.octets(value));

const ecKeyPair = (): { publicKey: KeyObject; privateKey: KeyObject } =>
  generateKeyPairSync('ec', { namedCurve: 'prime256v1' });

/** SubjectKeyIdentifier per RFC 5280 method 1: SHA-1 of the subjectPublicKey bits. */
const keyId = (spki: Buffer): Buffer =>
  createHash('sha1')
    .update(spki.subarray(spki.length - 65))
    .digest();

function certificate(o: {
  subject: string;
  issuer: string;
  publicKey: KeyObject;
  signer: KeyObject;
  authorityKeyId: Buffer;
  extensions: Buffer[];
  now: Date;
}): Buffer {
  const spki = o.publicKey.export({ type: 'spki', format: 'der' });
  const serial = randomBytes(16);
  serial[0] = (serial[0]! & 0x7f) | 0x10;
  const sigAlg = der.seq(der.oid(OID.ecdsaWithSha256));
  const tbs = der.seq(
    der.explicit(0, der.uint(Buffer.from([2]))), // v3
    der.uint(serial),
    sigAlg,
    name(o.issuer),
    der.seq(
      der.utcTime(new Date(o.now.getTime() - 3600_000)),
      der.utcTime(new Date(o.now.getTime() + 7 * 86400_000)),
    ),
    name(o.subject),
    spki,
    der.explicit(
      3,
      der.seq(
        ...o.extensions,
        extension(OID.subjectKeyId, false, der.octets(keyId(spki))),
        extension(OID.authorityKeyId, false, der.seq(der.implicit(0, o.authorityKeyId))),
      ),
    ),
  );
  const signature = sign('sha256', tbs, { key: o.signer, dsaEncoding: 'der' });
  return der.seq(tbs, sigAlg, der.bits(signature));
}

/**
 * Generates a throw-away CA and a server certificate for `localhost`, 127.0.0.1 and ::1, with node:crypto
 * only (ECDSA P-256, valid from an hour ago for a week).
 */
export function createTestPki(now = new Date()): TestPki {
  const ca = ecKeyPair();
  const caKeyId = keyId(ca.publicKey.export({ type: 'spki', format: 'der' }));
  const caCert = certificate({
    subject: 'baton-fivetran fake control plane test CA',
    issuer: 'baton-fivetran fake control plane test CA',
    publicKey: ca.publicKey,
    signer: ca.privateKey,
    authorityKeyId: caKeyId,
    now,
    extensions: [
      extension(OID.basicConstraints, true, der.seq(der.bool(true))),
      extension(OID.keyUsage, true, der.flags(0x06)), // keyCertSign | cRLSign
    ],
  });

  const leaf = ecKeyPair();
  const altNames = der.seq(
    der.implicit(2, Buffer.from('localhost', 'ascii')),
    der.implicit(7, Buffer.from([127, 0, 0, 1])),
    der.implicit(7, Buffer.from([...Array<number>(15).fill(0), 1])),
  );
  const leafCert = certificate({
    subject: 'localhost',
    issuer: 'baton-fivetran fake control plane test CA',
    publicKey: leaf.publicKey,
    signer: ca.privateKey,
    authorityKeyId: caKeyId,
    now,
    extensions: [
      extension(OID.basicConstraints, true, der.seq()),
      extension(OID.keyUsage, true, der.flags(0x80)), // digitalSignature
      extension(OID.extKeyUsage, false, der.seq(der.oid(OID.serverAuth))),
      extension(OID.subjectAltName, false, altNames),
    ],
  });

  const caPem = pem('CERTIFICATE', caCert);
  return {
    caPem,
    certPem: pem('CERTIFICATE', leafCert) + caPem,
    keyPem: leaf.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  };
}
