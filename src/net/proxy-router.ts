import type { Agent } from 'node:http';
import { createHttpProxyAgent, createProxyAgent, type ProxyAgentOptions } from './proxy-agent.js';
import { proxyFor, redactProxyUrl, type ProxySettings } from './proxy-env.js';

/**
 * Picks, per target URL, a proxy agent (one per proxy and scheme, reused) or undefined for a direct
 * connection. Shape expected by the Fivetran client and the token source (`{ agentFor(url) }`).
 */
export class ProxyRouter {
  readonly #settings: ProxySettings;
  readonly #options: ProxyAgentOptions;
  readonly #agents = new Map<string, Agent>();

  constructor(settings: ProxySettings, options: ProxyAgentOptions = {}) {
    this.#settings = settings;
    this.#options = options;
  }

  /** True when any proxy variable is set. */
  get isEnabled(): boolean {
    return !!(this.#settings.httpsProxy?.trim() || this.#settings.httpProxy?.trim());
  }

  agentFor(url: URL | string): Agent | undefined {
    const target = typeof url === 'string' ? new URL(url) : url;
    const proxy = proxyFor(target, this.#settings);
    if (proxy === undefined) return undefined;
    const key = `${target.protocol}${proxy.href}`;
    let agent = this.#agents.get(key);
    if (!agent) {
      agent =
        target.protocol === 'https:'
          ? createProxyAgent(proxy, this.#options)
          : createHttpProxyAgent(proxy, this.#options);
      this.#agents.set(key, agent);
    }
    return agent;
  }

  /** `http://proxy:3128` (no credentials) for `url`, or undefined when it goes direct: for logs. */
  describe(url: URL | string): string | undefined {
    const proxy = proxyFor(url, this.#settings);
    return proxy === undefined ? undefined : redactProxyUrl(proxy);
  }

  /** Closes every pooled tunnel. */
  destroy(): void {
    for (const agent of this.#agents.values()) agent.destroy();
    this.#agents.clear();
  }
}
