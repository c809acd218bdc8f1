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

const UNITS: Record<string, number> = { Mi: 1, Gi: 1024, M: 1e6 / 2 ** 20, G: 1e9 / 2 ** 20 };

/**
 * The V8 old-generation size (MiB) Node gives the daemon in a pod with the chart's memory limit: with no
 * `--max-old-space-size`, Node sizes the heap from the cgroup limit, and V8 takes a quarter of it times 2 on
 * 64-bit (Heap::HeapSizeFromPhysicalMemory), at least 256 MiB. The soak host has no limit (V8 would take
 * 4 GiB and let garbage pile up far longer than in the pod), so the soak passes it explicitly.
 */
export function podOldSpaceMiB(memoryLimit: string): number {
  const m = /^(\d+)(Mi|Gi|M|G)$/.exec(memoryLimit);
  if (!m) throw new Error(`soak: cannot read the chart's memory limit ${JSON.stringify(memoryLimit)}`);
  const limitMiB = Number(m[1]) * UNITS[m[2]!]!;
  return Math.max(256, Math.floor(limitMiB / 2));
}
