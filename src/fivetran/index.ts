export { createFivetranConnector, type FivetranConnectorOptions } from './connector.js';
export {
  FivetranClient,
  type FivetranClientMetrics,
  type FivetranClientOptions,
  type OutboundAgents,
} from './client.js';
export { FivetranApiError } from './errors.js';
export { Secret, type SecretInput } from './secret.js';
