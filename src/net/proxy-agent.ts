import { Agent as HttpAgent, type ClientRequest, type ClientRequestArgs } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { isIP } from 'node:net';
import type { Duplex } from 'node:stream';
import { connect as tlsConnect, type ConnectionOptions } from 'node:tls';
import { parseProxyUrl } from './proxy-env.js';
import { authority, connectToProxy, openTunnel, proxyEndpoint, type ProxyEndpoint } from './proxy-tunnel.js';

export interface ProxyAgentOptions {
  /** Bound on reaching the proxy and getting its CONNECT answer; default 30 s. */
  readonly connectTimeoutMs?: number;
  /** CA (PEM) for an https:// proxy itself, on top of Node's default store. */
  readonly proxyCa?: string;
}

const DEFAULT_CONNECT_TIMEOUT_MS = 30_000;

type ConnectCallback = (err: Error | null, stream: Duplex) => void;

/**
 * An https.Agent that reaches every target through `CONNECT host:port` on the proxy, then does TLS to the
 * target (SNI, the request's `ca`/`minVersion`/… apply) inside the tunnel. Tunnels are kept alive and reused.
 */
class HttpsProxyAgent extends HttpsAgent {
  readonly #proxy: ProxyEndpoint;
  readonly #timeoutMs: number;

  constructor(proxy: ProxyEndpoint, timeoutMs: number) {
    super({ keepAlive: true });
    this.#proxy = proxy;
    this.#timeoutMs = timeoutMs;
  }

  override createConnection(options: ClientRequestArgs, callback?: ConnectCallback): Duplex | undefined {
    const host = String(options.hostname ?? options.host ?? 'localhost').replace(/^\[(.*)\]$/, '$1');
    const port = options.port ?? 443;
    const tlsOptions = options as ClientRequestArgs & ConnectionOptions;
    openTunnel(this.#proxy, authority(host, port), this.#timeoutMs).then(
      (socket) => {
        const servername = tlsOptions.servername || (isIP(host) === 0 ? host : undefined);
        // Node's own https.Agent passes the request options to tls.connect the same way.
        const secure = tlsConnect({
          ...tlsOptions,
          host,
          socket,
          ...(servername ? { servername } : {}),
        });
        callback?.(null, secure);
      },
      (err: Error) => callback?.(err, undefined as never),
    );
    return undefined;
  }
}

/**
 * An http.Agent for plain http: targets: requests go to the proxy in absolute form
 * (`GET http://host:port/path`), the usual way for HTTP proxies; no tunnel.
 */
class HttpForwardProxyAgent extends HttpAgent {
  readonly #proxy: ProxyEndpoint;

  constructor(proxy: ProxyEndpoint) {
    super({ keepAlive: true });
    this.#proxy = proxy;
  }

  // Not in @types/node, but the hook Node calls with each request before its header is written.
  addRequest(req: ClientRequest, options: ClientRequestArgs): void {
    const host = String(options.hostname ?? options.host ?? 'localhost').replace(/^\[(.*)\]$/, '$1');
    if (!/^https?:\/\//i.test(req.path))
      req.path = `http://${authority(host, options.port ?? 80)}${req.path}`;
    if (this.#proxy.authorization !== undefined) {
      req.setHeader('proxy-authorization', this.#proxy.authorization);
    }
    // One pool for all targets: every request goes to the same proxy.
    const proxyOptions = { ...options, host: this.#proxy.url.hostname, port: this.#proxy.url.port };
    (HttpAgent.prototype as unknown as { addRequest(r: ClientRequest, o: object): void }).addRequest.call(
      this,
      req,
      proxyOptions,
    );
  }

  override createConnection(): Duplex {
    return connectToProxy(this.#proxy);
  }
}

/**
 * An https.Agent tunnelling through `proxyUrl` (http:// or https://, `Proxy-Authorization: Basic` from
 * its user and password). The URL's credentials stay inside the agent and are never logged.
 */
export function createProxyAgent(proxyUrl: string | URL, o: ProxyAgentOptions = {}): HttpsAgent {
  const url = typeof proxyUrl === 'string' ? parseProxyUrl(proxyUrl) : proxyUrl;
  return new HttpsProxyAgent(proxyEndpoint(url, o.proxyCa), o.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS);
}

/** The http.Agent counterpart for plain http: targets (absolute-form requests, no CONNECT). */
export function createHttpProxyAgent(proxyUrl: string | URL, o: ProxyAgentOptions = {}): HttpAgent {
  const url = typeof proxyUrl === 'string' ? parseProxyUrl(proxyUrl) : proxyUrl;
  return new HttpForwardProxyAgent(proxyEndpoint(url, o.proxyCa));
}
