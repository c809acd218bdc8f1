import { BlockList, isIP } from 'node:net';

/**
 * The standard proxy variables, already picked (upper case first, then lower case) by `src/config`.
 * Proxy URLs may hold credentials: never log them (`redactProxyUrl` gives a printable form).
 */
export interface ProxySettings {
  /** HTTPS_PROXY: for https: targets. */
  readonly httpsProxy?: string;
  /** HTTP_PROXY: for http: targets only (as in Go and curl, there is no fallback between the two). */
  readonly httpProxy?: string;
  /** NO_PROXY as written: a comma list of hosts, domains, `host:port`, IPs, CIDRs, or `*`. */
  readonly noProxy?: string;
}

/** `proxy:3128` → `http://proxy:3128/` (as Go and curl read a bare host); other schemes are refused. */
export function parseProxyUrl(raw: string): URL {
  const text = raw.trim();
  let url: URL;
  try {
    url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `http://${text}`);
  } catch {
    // The value may hold credentials, so it is not repeated.
    throw new TypeError('proxy URL is not a valid URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new TypeError(`proxy URL scheme must be http or https, got "${url.protocol.slice(0, -1)}"`);
  }
  if (url.hostname === '') throw new TypeError('proxy URL has no host');
  return url;
}

/** `http://proxy:3128` without user, password, path or query: safe for logs and error messages. */
export const redactProxyUrl = (proxy: URL): string => `${proxy.protocol}//${proxy.host}`;

const defaultPort = (url: URL): string => url.port || (url.protocol === 'https:' ? '443' : '80');

/** Lower case, no IPv6 brackets, no trailing dot. */
const normaliseHost = (host: string): string =>
  host
    .toLowerCase()
    .replace(/^\[(.*)\]$/, '$1')
    .replace(/\.$/, '');

interface Rule {
  /** Normalised host, IP or domain suffix (without the leading dot). */
  readonly host: string;
  readonly port?: string;
  /** `.example.com` / `*.example.com`: subdomains only, as in Go's httpproxy. */
  readonly subdomainsOnly: boolean;
}

/** Splits `host:port`, `[v6]:port`, bare v6 and `a.b/24` entries. */
function parseRule(entry: string): Rule | { readonly cidr: string; readonly prefix: number } {
  const cidr = /^(.+)\/(\d{1,3})$/.exec(entry);
  if (cidr && isIP(cidr[1]!)) return { cidr: cidr[1]!, prefix: Number(cidr[2]) };
  let host = entry;
  let port: string | undefined;
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry);
  if (bracketed) {
    host = bracketed[1]!;
    port = bracketed[2];
  } else if (isIP(entry) !== 6) {
    const hp = /^(.*):(\d+)$/.exec(entry);
    if (hp) {
      host = hp[1]!;
      port = hp[2];
    }
  }
  let subdomainsOnly = false;
  if (host.startsWith('*.')) host = host.slice(1);
  if (host.startsWith('.')) {
    subdomainsOnly = true;
    host = host.slice(1);
  }
  return { host: normaliseHost(host), subdomainsOnly, ...(port === undefined ? {} : { port }) };
}

/**
 * True when NO_PROXY says `url` goes direct. Rules, following Go's httpproxy (what baton-sdk uses):
 * entries are separated by commas (spaces are trimmed) and matched case-insensitively; `*` alone matches
 * everything; `example.com` matches that host and its subdomains, `.example.com` and `*.example.com` only
 * the subdomains; `host:port` matches only that port; an IP matches itself and a CIDR its range. Unlike
 * Go, `localhost` and loopback addresses are not special: list them to bypass the proxy.
 */
export function bypassesProxy(url: URL, noProxy: string | undefined): boolean {
  if (noProxy === undefined) return false;
  const host = normaliseHost(url.hostname);
  const port = defaultPort(url);
  const hostIsIp = isIP(host);
  for (const raw of noProxy.split(',')) {
    const entry = raw.trim().toLowerCase();
    if (entry === '') continue;
    if (entry === '*') return true;
    const rule = parseRule(entry);
    if ('cidr' in rule) {
      if (hostIsIp === 0) continue;
      const family = isIP(rule.cidr) === 6 ? 'ipv6' : 'ipv4';
      const list = new BlockList();
      try {
        list.addSubnet(rule.cidr, rule.prefix, family);
      } catch {
        continue; // a prefix too long for the family: ignore the entry, as Go does
      }
      if (list.check(host, hostIsIp === 6 ? 'ipv6' : 'ipv4')) return true;
      continue;
    }
    if (rule.host === '' || (rule.port !== undefined && rule.port !== port)) continue;
    if (host === rule.host && !rule.subdomainsOnly) return true;
    if (hostIsIp === 0 && host.endsWith(`.${rule.host}`)) return true;
  }
  return false;
}

/** The proxy to use for `url` under `env`, or undefined for a direct connection. */
export function proxyFor(url: URL | string, env: ProxySettings): URL | undefined {
  const target = typeof url === 'string' ? new URL(url) : url;
  const raw =
    target.protocol === 'https:' ? env.httpsProxy : target.protocol === 'http:' ? env.httpProxy : undefined;
  if (raw === undefined || raw.trim() === '') return undefined;
  if (bypassesProxy(target, env.noProxy)) return undefined;
  return parseProxyUrl(raw);
}
