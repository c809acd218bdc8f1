import { accountRoutes } from './account-routes.js';
import { connectionRoutes } from './connection-routes.js';
import { groupRoutes } from './group-routes.js';
import type { PermissionResource } from './keys.js';
import type { Method, Route } from './route.js';
import { systemKeyRoutes } from './system-key-routes.js';
import { teamRoutes } from './team-routes.js';
import { userRoutes } from './user-routes.js';

export type RouteMatch =
  | { readonly kind: 'found'; readonly route: Route; readonly params: Record<string, string> }
  | { readonly kind: 'method-not-allowed'; readonly allowed: Method[] }
  | { readonly kind: 'not-found' };

interface CompiledRoute {
  readonly route: Route;
  readonly segments: readonly string[];
}

/** Which system-key resource type guards each top-level path segment (spec §4.1). */
const RESOURCE_BY_SEGMENT: Readonly<Record<string, PermissionResource>> = {
  account: 'ACCOUNT',
  users: 'USER',
  teams: 'TEAM',
  roles: 'ROLES',
  groups: 'DESTINATION',
  connections: 'CONNECTOR',
};

export class Router {
  readonly #routes: CompiledRoute[] = [
    ...accountRoutes,
    ...userRoutes,
    ...groupRoutes,
    ...teamRoutes,
    ...connectionRoutes,
    ...systemKeyRoutes,
  ].map((route) => ({ route, segments: route.path.split('/').filter(Boolean) }));

  /** `path` is below `/v1`, e.g. `/users/abc_def/groups`. */
  match(method: string, path: string): RouteMatch {
    const parts = path.split('/').filter(Boolean);
    const allowed: Method[] = [];
    for (const { route, segments } of this.#routes) {
      const params = matchSegments(segments, parts);
      if (!params) continue;
      if (route.method === method) return { kind: 'found', route, params };
      allowed.push(route.method);
    }
    return allowed.length > 0 ? { kind: 'method-not-allowed', allowed } : { kind: 'not-found' };
  }

  static resourceOf(path: string): PermissionResource | undefined {
    return RESOURCE_BY_SEGMENT[path.split('/').filter(Boolean)[0] ?? ''];
  }
}

function matchSegments(
  template: readonly string[],
  parts: readonly string[],
): Record<string, string> | undefined {
  if (template.length !== parts.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < template.length; i++) {
    const t = template[i]!;
    const p = parts[i]!;
    if (t.startsWith(':')) {
      try {
        params[t.slice(1)] = decodeURIComponent(p);
      } catch {
        return undefined;
      }
    } else if (t !== p) {
      return undefined;
    }
  }
  return params;
}
