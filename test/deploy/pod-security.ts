// The Kubernetes Pod Security Standards, "restricted" profile (which includes "baseline"), checked field by
// field on a pod spec as the admission controller does (Kubernetes v1.34 policy): each violation names the
// field. https://kubernetes.io/docs/concepts/security/pod-security-standards/
type Obj = Record<string, unknown>;

const RESTRICTED_VOLUME_TYPES = new Set([
  'configMap',
  'csi',
  'downwardAPI',
  'emptyDir',
  'ephemeral',
  'persistentVolumeClaim',
  'projected',
  'secret',
]);
const SAFE_SYSCTLS = new Set([
  'kernel.shm_rmid_forced',
  'net.ipv4.ip_local_port_range',
  'net.ipv4.ip_unprivileged_port_start',
  'net.ipv4.tcp_syncookies',
  'net.ipv4.ping_group_range',
  'net.ipv4.ip_local_reserved_ports',
  'net.ipv4.tcp_keepalive_time',
  'net.ipv4.tcp_fin_timeout',
  'net.ipv4.tcp_keepalive_intvl',
  'net.ipv4.tcp_keepalive_probes',
]);
const SELINUX_TYPES = new Set([
  '',
  'container_t',
  'container_init_t',
  'container_kvm_t',
  'container_engine_t',
]);
const obj = (v: unknown): Obj => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});
const list = (v: unknown): Obj[] => (Array.isArray(v) ? (v as Obj[]) : []);

/** Every violation of the restricted profile in `spec` (a PodSpec), as `field: problem`; empty when it passes. */
export function restrictedViolations(spec: Obj, podAnnotations?: Obj | null): string[] {
  const v: string[] = [];
  for (const [k, value] of Object.entries(podAnnotations ?? {})) {
    if (k.startsWith('container.apparmor.security.beta.kubernetes.io/') && value === 'unconfined') {
      v.push(`metadata.annotations.${k}: unconfined`);
    }
  }
  const podSc = obj(spec.securityContext);
  for (const f of ['hostNetwork', 'hostPID', 'hostIPC'] as const) {
    if (spec[f] === true) v.push(`spec.${f}: must not be true`);
  }
  if (obj(podSc.windowsOptions).hostProcess === true)
    v.push('spec.securityContext.windowsOptions.hostProcess: true');
  for (const vol of list(spec.volumes)) {
    const types = Object.keys(vol).filter((k) => k !== 'name');
    for (const t of types) {
      if (!RESTRICTED_VOLUME_TYPES.has(t)) v.push(`spec.volumes[${String(vol.name)}]: type ${t} not allowed`);
    }
  }
  for (const s of list(podSc.sysctls)) {
    if (!SAFE_SYSCTLS.has(String(s.name)))
      v.push(`spec.securityContext.sysctls: ${String(s.name)} not allowed`);
  }
  checkSeLinux(obj(podSc.seLinuxOptions), 'spec.securityContext', v);
  if (obj(podSc.appArmorProfile).type === 'Unconfined')
    v.push('spec.securityContext.appArmorProfile: Unconfined');
  if (podSc.runAsUser === 0) v.push('spec.securityContext.runAsUser: must not be 0');
  const podSeccomp = obj(podSc.seccompProfile).type;
  if (podSeccomp !== undefined && podSeccomp !== 'RuntimeDefault' && podSeccomp !== 'Localhost') {
    v.push(`spec.securityContext.seccompProfile.type: ${String(podSeccomp)} not allowed`);
  }

  const containers = [
    ...list(spec.initContainers).map((c) => ['initContainers', c] as const),
    ...list(spec.containers).map((c) => ['containers', c] as const),
    ...list(spec.ephemeralContainers).map((c) => ['ephemeralContainers', c] as const),
  ];
  if (list(spec.containers).length === 0) v.push('spec.containers: none');
  for (const [kind, c] of containers) {
    const at = `spec.${kind}[${String(c.name)}]`;
    const sc = obj(c.securityContext);
    if (sc.privileged === true) v.push(`${at}.securityContext.privileged: true`);
    if (sc.allowPrivilegeEscalation !== false) {
      v.push(`${at}.securityContext.allowPrivilegeEscalation: must be false`);
    }
    const caps = obj(sc.capabilities);
    const drop = Array.isArray(caps.drop) ? (caps.drop as unknown[]) : [];
    if (!drop.includes('ALL')) v.push(`${at}.securityContext.capabilities.drop: must include ALL`);
    for (const cap of Array.isArray(caps.add) ? (caps.add as unknown[]) : []) {
      if (cap !== 'NET_BIND_SERVICE')
        v.push(`${at}.securityContext.capabilities.add: ${String(cap)} not allowed`);
    }
    const runAsNonRoot = sc.runAsNonRoot ?? podSc.runAsNonRoot;
    if (runAsNonRoot !== true) v.push(`${at}: runAsNonRoot must be true (pod or container)`);
    if (sc.runAsUser === 0) v.push(`${at}.securityContext.runAsUser: must not be 0`);
    const seccomp = obj(sc.seccompProfile).type ?? podSeccomp;
    if (seccomp !== 'RuntimeDefault' && seccomp !== 'Localhost') {
      v.push(`${at}: seccompProfile.type must be RuntimeDefault or Localhost (pod or container)`);
    }
    if (sc.procMount !== undefined && sc.procMount !== 'Default')
      v.push(`${at}.securityContext.procMount: not Default`);
    if (obj(sc.windowsOptions).hostProcess === true)
      v.push(`${at}.securityContext.windowsOptions.hostProcess: true`);
    if (obj(sc.appArmorProfile).type === 'Unconfined')
      v.push(`${at}.securityContext.appArmorProfile: Unconfined`);
    checkSeLinux(obj(sc.seLinuxOptions), `${at}.securityContext`, v);
    for (const p of list(c.ports)) {
      if (p.hostPort !== undefined && p.hostPort !== 0) v.push(`${at}.ports: hostPort ${String(p.hostPort)}`);
    }
  }
  return v;
}

function checkSeLinux(se: Obj, at: string, v: string[]): void {
  if (!SELINUX_TYPES.has(String(se.type ?? '')))
    v.push(`${at}.seLinuxOptions.type: ${String(se.type)} not allowed`);
  if (se.user !== undefined) v.push(`${at}.seLinuxOptions.user: must not be set`);
  if (se.role !== undefined) v.push(`${at}.seLinuxOptions.role: must not be set`);
}

/** The pod template (metadata and spec) of a workload object, or undefined for anything else. */
export function podTemplateOf(o: Obj): { metadata: Obj; spec: Obj } | undefined {
  const template = (t: unknown) => ({ metadata: obj(obj(t).metadata), spec: obj(obj(t).spec) });
  switch (o.kind) {
    case 'Pod':
      return template(o);
    case 'Deployment':
    case 'StatefulSet':
    case 'DaemonSet':
    case 'ReplicaSet':
    case 'Job':
      return template(obj(o.spec).template);
    case 'CronJob':
      return template(obj(obj(obj(o.spec).jobTemplate).spec).template);
    default:
      return undefined;
  }
}
