import { isIP, type Socket } from 'node:net';
import { connect, createSecureContext, type SecureContext } from 'node:tls';
import * as grpc from '@grpc/grpc-js';

type SecureConnector = ReturnType<grpc.ChannelCredentials['_createSecureConnector']>;

/** The bare host of `host`, `host:port`, `[v6]` or `[v6]:port`. */
export function hostOnly(hostPort: string): string {
  const v6 = /^\[([^\]]*)\](?::\d+)?$/.exec(hostPort);
  if (v6) return v6[1] ?? '';
  const colon = hostPort.lastIndexOf(':');
  return colon > 0 && hostPort.indexOf(':') === colon ? hostPort.slice(0, colon) : hostPort;
}

/**
 * TLS channel credentials that behave as `credentials.createSsl(roots)` except for one thing: no TLS server
 * name (SNI) is sent when the host is an IP address. grpc-js always sets `servername` to the host, and Node
 * warns (DEP0123) for an IP, since RFC 6066 forbids IP server names; that warning line would break the
 * JSON-only log output. The certificate is still verified against the host (Node checks IP SANs for it).
 */
export class TlsChannelCredentials extends grpc.ChannelCredentials {
  readonly #context: SecureContext;
  readonly #host: string;

  constructor(rootsPem: string, hostPort: string) {
    super();
    this.#context = createSecureContext({ ca: rootsPem });
    this.#host = hostOnly(hostPort);
  }

  _isSecure(): boolean {
    return true;
  }

  _equals(other: grpc.ChannelCredentials): boolean {
    return other === this;
  }

  _createSecureConnector(
    _target: unknown,
    _options: unknown,
    callCredentials?: grpc.CallCredentials,
  ): SecureConnector {
    const host = this.#host;
    const secureContext = this.#context;
    return {
      connect: (socket: Socket) =>
        new Promise((resolve, reject) => {
          const tlsSocket = connect(
            {
              socket,
              secureContext,
              host,
              ALPNProtocols: ['h2'],
              ...(isIP(host) === 0 ? { servername: host } : {}),
            },
            () => {
              if (!tlsSocket.authorized) reject(tlsSocket.authorizationError);
              else resolve({ socket: tlsSocket, secure: true });
            },
          );
          tlsSocket.on('error', reject);
        }),
      waitForReady: () => Promise.resolve(),
      getCallCredentials: () => callCredentials ?? grpc.CallCredentials.createEmpty(),
      destroy: () => undefined,
    };
  }
}
