import { connect as netConnect, isIP, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { redactProxyUrl } from './proxy-env.js';

/** The proxy could not be reached, or refused or garbled the CONNECT. Never names the credentials. */
export class ProxyConnectError extends Error {
  override readonly name = 'ProxyConnectError';
  /** Read by our network-error translation (the request's error is this error itself). */
  readonly code = 'ERR_PROXY_CONNECT';
  constructor(
    message: string,
    /** The proxy's HTTP status, when it answered the CONNECT. */
    readonly proxyStatus?: number,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

export interface ProxyEndpoint {
  readonly url: URL;
  /** `Basic …` when the proxy URL has a user; undefined otherwise. */
  readonly authorization?: string;
  /** CA (PEM) trusted for an https:// proxy itself, on top of Node's default store. */
  readonly proxyCa?: string;
}

export const proxyEndpoint = (url: URL, proxyCa?: string): ProxyEndpoint => {
  const user = decodeURIComponent(url.username);
  const password = decodeURIComponent(url.password);
  return {
    url,
    ...(user || password
      ? { authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` }
      : {}),
    ...(proxyCa === undefined ? {} : { proxyCa }),
  };
};

/** `host:port`, with brackets around an IPv6 address. */
export const authority = (host: string, port: number | string): string =>
  `${isIP(host) === 6 ? `[${host}]` : host}:${port}`;

/** A TCP (http://) or TLS (https://) connection to the proxy itself. */
export function connectToProxy(proxy: ProxyEndpoint): Socket {
  const { url } = proxy;
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  if (url.protocol === 'https:') {
    return tlsConnect({
      host,
      port,
      ...(isIP(host) === 0 ? { servername: host } : {}),
      ...(proxy.proxyCa === undefined ? {} : { ca: proxy.proxyCa }),
    });
  }
  return netConnect({ host, port });
}

const MAX_HEADER_BYTES = 16 * 1024;

/**
 * Opens `CONNECT target` through the proxy and resolves with the raw tunnel once the proxy answers 2xx.
 * `timeoutMs` bounds reaching the proxy and its answer; the caller's request timeout covers the rest.
 */
export function openTunnel(proxy: ProxyEndpoint, target: string, timeoutMs: number): Promise<Socket> {
  const label = redactProxyUrl(proxy.url);
  return new Promise((resolve, reject) => {
    const socket = connectToProxy(proxy);
    let received = Buffer.alloc(0);
    const fail = (message: string, status?: number, cause?: unknown) => {
      cleanup();
      socket.destroy();
      reject(new ProxyConnectError(message, status, cause === undefined ? undefined : { cause }));
    };
    const onError = (err: Error) =>
      fail(`cannot reach proxy ${label} for CONNECT ${target}: ${err.message}`, undefined, err);
    const onClose = () => fail(`proxy ${label} closed the connection during CONNECT ${target}`);
    const onTimeout = () => fail(`proxy ${label} did not answer CONNECT ${target} within ${timeoutMs} ms`);
    const onConnect = () => {
      const lines = [`CONNECT ${target} HTTP/1.1`, `Host: ${target}`];
      if (proxy.authorization !== undefined) lines.push(`Proxy-Authorization: ${proxy.authorization}`);
      socket.write(`${lines.join('\r\n')}\r\n\r\n`);
    };
    const onData = (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      const end = received.indexOf('\r\n\r\n');
      if (end === -1) {
        if (received.length > MAX_HEADER_BYTES) fail(`proxy ${label} sent an oversized CONNECT answer`);
        return;
      }
      const statusLine = received.subarray(0, received.indexOf('\r\n')).toString('latin1');
      const m = /^HTTP\/1\.[01] (\d{3})(?: (.*))?$/.exec(statusLine);
      if (!m) return fail(`proxy ${label} sent a malformed answer to CONNECT ${target}`);
      const status = Number(m[1]);
      if (status < 200 || status > 299) {
        return fail(`proxy ${label} refused CONNECT ${target}: ${status} ${m[2] ?? ''}`.trim(), status);
      }
      // The client speaks first in TLS, so a correct proxy sends nothing after its header.
      if (received.length > end + 4) return fail(`proxy ${label} sent data before the tunnel was used`);
      cleanup();
      socket.pause();
      resolve(socket);
    };
    const cleanup = () => {
      socket.setTimeout(0);
      socket.off('error', onError);
      socket.off('close', onClose);
      socket.off('timeout', onTimeout);
      socket.off('data', onData);
      socket.off('connect', onConnect);
      socket.off('secureConnect', onConnect);
    };
    socket.setTimeout(timeoutMs);
    socket.on('error', onError);
    socket.on('close', onClose);
    socket.on('timeout', onTimeout);
    socket.on('data', onData);
    socket.once(proxy.url.protocol === 'https:' ? 'secureConnect' : 'connect', onConnect);
  });
}
