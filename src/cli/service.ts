import type { Logger } from 'pino';
import type { Config } from '../config/index.js';

export async function runService(o: {
  config: Config;
  log: Logger;
  version: string;
  shutdown: AbortSignal;
}): Promise<number> {
  o.log.error('service mode is not wired yet');
  return 1;
}
