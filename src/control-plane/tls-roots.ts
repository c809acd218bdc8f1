import { getCACertificates } from 'node:tls';

/**
 * PEM bundle of Node's default trust store (bundled roots plus NODE_EXTRA_CA_CERTS), plus `extraCaPem`.
 * grpc-js ignores NODE_EXTRA_CA_CERTS unless given these roots explicitly; `extraCaPem` exists for
 * in-process tests, which cannot set that variable after start-up.
 */
export function tlsRoots(extraCaPem?: string): string {
  const pems = [...getCACertificates('default')];
  if (extraCaPem !== undefined && extraCaPem.trim() !== '') pems.push(extraCaPem.trim());
  return pems.join('\n') + '\n';
}
