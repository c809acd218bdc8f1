export { bypassesProxy, parseProxyUrl, proxyFor, redactProxyUrl, type ProxySettings } from './proxy-env.js';
export { createHttpProxyAgent, createProxyAgent, type ProxyAgentOptions } from './proxy-agent.js';
export { ProxyConnectError } from './proxy-tunnel.js';
export { ProxyRouter } from './proxy-router.js';
export { BodyBuffers, BodyCollector } from './body-buffers.js';
