/** The `NODE_OPTIONS` and `MALLOC_*` settings of the image's `ENV` lines, so the daemon runs as it does in a pod. */
export function imageEnv(dockerfile: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [, line] of dockerfile.matchAll(/^ENV (.+)$/gm)) {
    for (const [, key, value] of line!.matchAll(/(\w+)=(\S+)/g)) {
      if (key === 'NODE_OPTIONS' || key!.startsWith('MALLOC_')) env[key!] = value!;
    }
  }
  return env;
}
