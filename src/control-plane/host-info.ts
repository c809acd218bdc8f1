import { access, readFile } from 'node:fs/promises';
import { arch, hostname, machine, platform, release } from 'node:os';

/** BatonServiceHelloRequest.BuildInfo in model shape. */
export interface BuildInfo {
  readonly langVersion: string;
  readonly package: string;
  readonly packageVersion: string;
}

/** BatonServiceHelloRequest.OSInfo in model shape; every field non-empty. */
export interface OsInfo {
  readonly hostname: string;
  readonly os: string;
  readonly platform: string;
  readonly platformVersion: string;
  readonly platformFamily: string;
  readonly kernelVersion: string;
  readonly kernelArch: string;
  readonly virtualizationSystem: string;
}

export const PACKAGE_NAME = 'baton-fivetran';

export function buildInfo(packageVersion: string): BuildInfo {
  return {
    langVersion: `node ${process.versions.node || '0.0.0'}`,
    package: PACKAGE_NAME,
    packageVersion: packageVersion || '0.0.0',
  };
}

// Go's GOOS / GOARCH names, which is what the SDK reports.
const GOOS: Record<string, string> = { win32: 'windows', sunos: 'solaris' };
const GOARCH: Record<string, string> = { x64: 'amd64', ia32: '386', arm: 'arm', arm64: 'arm64' };
const DEBIAN = ['debian', 'ubuntu', 'linuxmint', 'raspbian', 'neon', 'pop', 'kali'];
const RHEL = ['rhel', 'centos', 'rocky', 'almalinux', 'ol', 'oracle', 'amzn', 'scientific', 'cloudlinux'];

/** The raw values gathered from the host, before fallbacks; exposed so fallbacks can be tested. */
export type RawOsInfo = { readonly [K in keyof OsInfo]?: string };

/**
 * What gopsutil's host.Info reports, approximated with node:os and /etc/os-release, with the SDK's
 * fallbacks for empty values applied in its order (spec control-plane §4.1).
 */
export async function osInfo(o: { readonly signal?: AbortSignal } = {}): Promise<OsInfo> {
  const release_ = await readOsRelease(o.signal);
  const id = release_.ID ?? '';
  const like = (release_.ID_LIKE ?? '').split(/\s+/);
  const family =
    DEBIAN.includes(id) || like.includes('debian')
      ? 'debian'
      : RHEL.includes(id) || like.includes('rhel')
        ? 'rhel'
        : (like.find((f) => f !== '') ?? id);
  return withFallbacks({
    hostname: safe(hostname),
    os: GOOS[platform()] ?? platform(),
    platform: id,
    platformVersion: release_.VERSION_ID ?? '',
    platformFamily: family,
    kernelVersion: safe(release),
    kernelArch: safe(machine),
    virtualizationSystem: await detectVirtualization(o.signal),
  });
}

export function withFallbacks(raw: RawOsInfo): OsInfo {
  const virtualizationSystem = raw.virtualizationSystem || 'none';
  const hostname_ = raw.hostname || 'unknown';
  const os = raw.os || GOOS[platform()] || platform();
  const platform_ = raw.platform || os;
  const platformFamily = raw.platformFamily || platform_;
  const kernelVersion = raw.kernelVersion || 'unknown';
  const platformVersion = raw.platformVersion || kernelVersion;
  const kernelArch = raw.kernelArch || GOARCH[arch()] || arch();
  return {
    hostname: hostname_,
    os,
    platform: platform_,
    platformVersion,
    platformFamily,
    kernelVersion,
    kernelArch,
    virtualizationSystem,
  };
}

const safe = (f: () => string): string => {
  try {
    return f().trim();
  } catch {
    return '';
  }
};

async function readOsRelease(signal?: AbortSignal): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  let text = '';
  for (const path of ['/etc/os-release', '/usr/lib/os-release']) {
    try {
      text = await readFile(path, { encoding: 'utf8', signal });
      break;
    } catch {
      // not Linux, or a minimal image: fall back below
    }
  }
  for (const line of text.split('\n')) {
    const m = /^([A-Z_]+)=(.*)$/.exec(line.trim());
    if (m?.[1]) out[m[1]] = (m[2] ?? '').replace(/^["']|["']$/g, '');
  }
  return out;
}

async function detectVirtualization(signal?: AbortSignal): Promise<string> {
  const exists = (p: string) =>
    access(p).then(
      () => true,
      () => false,
    );
  if (await exists('/.dockerenv')) return 'docker';
  if (await exists('/run/.containerenv')) return 'podman';
  try {
    const cgroup = await readFile('/proc/self/cgroup', { encoding: 'utf8', signal });
    if (/docker|kubepods|containerd/.test(cgroup)) return 'docker';
    if (/lxc/.test(cgroup)) return 'lxc';
  } catch {
    // no cgroup info: not Linux
  }
  return '';
}
