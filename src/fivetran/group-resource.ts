import { annotations, resourceId, toStruct, toTimestamp } from '../connector/index.js';
import type { Resource } from '../connector/index.js';
import type { FivetranGroup } from './api.js';

export const groupResource = (g: FivetranGroup): Resource => {
  const profile = toStruct({ name: g.name, created_at: g.created_at ?? undefined });
  return {
    id: resourceId('group', g.id),
    displayName: g.name,
    annotations: [annotations.groupTrait({ profile })],
    profile,
    createdAt: toTimestamp(g.created_at),
  };
};
