export { createFivetranConnector, syncPagesPerListing, type FivetranConnectorOptions } from './connector.js';
export {
  FivetranClient,
  type FivetranClientMetrics,
  type FivetranClientOptions,
  type OutboundAgents,
  type SecretInput,
} from './client.js';
export { FivetranApiError } from './errors.js';
