// The restricted-profile checker itself: a compliant pod passes, and each way of breaking the profile is caught
// (so a check the deploy tests rely on cannot silently stop checking).
import { describe, expect, it } from '@jest/globals';
import { podTemplateOf, restrictedViolations } from './pod-security.js';

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const compliant = (): Obj => ({
  securityContext: {
    runAsNonRoot: true,
    runAsUser: 65532,
    fsGroup: 65534,
    seccompProfile: { type: 'RuntimeDefault' },
  },
  containers: [
    {
      name: 'app',
      ports: [{ containerPort: 8081 }],
      securityContext: {
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        capabilities: { drop: ['ALL'] },
      },
    },
  ],
  volumes: [
    { name: 'work', emptyDir: {} },
    { name: 'ca', configMap: { name: 'ca' } },
    { name: 'creds', secret: { secretName: 's' } },
    { name: 'proj', projected: { sources: [] } },
  ],
});
const app = (spec: Obj): Obj => spec.containers[0];

describe('restrictedViolations', () => {
  it('passes a compliant pod, with seccomp and runAsNonRoot at pod or container level', () => {
    expect(restrictedViolations(compliant())).toEqual([]);
    const perContainer = compliant();
    delete perContainer.securityContext.seccompProfile;
    delete perContainer.securityContext.runAsNonRoot;
    Object.assign(app(perContainer).securityContext, {
      runAsNonRoot: true,
      seccompProfile: { type: 'Localhost' },
    });
    expect(restrictedViolations(perContainer)).toEqual([]);
  });

  it.each<[string, (s: Obj) => void, string]>([
    ['hostNetwork', (s) => (s.hostNetwork = true), 'spec.hostNetwork'],
    ['hostPID', (s) => (s.hostPID = true), 'spec.hostPID'],
    ['hostIPC', (s) => (s.hostIPC = true), 'spec.hostIPC'],
    ['a hostPath volume', (s) => s.volumes.push({ name: 'h', hostPath: { path: '/' } }), 'type hostPath'],
    ['a nfs volume', (s) => s.volumes.push({ name: 'n', nfs: { server: 'x', path: '/' } }), 'type nfs'],
    ['privileged', (s) => (app(s).securityContext.privileged = true), 'privileged'],
    [
      'privilege escalation unset',
      (s) => delete app(s).securityContext.allowPrivilegeEscalation,
      'allowPrivilegeEscalation',
    ],
    ['capabilities not dropped', (s) => (app(s).securityContext.capabilities = {}), 'drop: must include ALL'],
    [
      'an added capability',
      (s) => (app(s).securityContext.capabilities.add = ['NET_ADMIN']),
      'NET_ADMIN not allowed',
    ],
    ['runAsNonRoot missing', (s) => delete s.securityContext.runAsNonRoot, 'runAsNonRoot must be true'],
    [
      'runAsNonRoot false in the container',
      (s) => (app(s).securityContext.runAsNonRoot = false),
      'runAsNonRoot',
    ],
    ['root user', (s) => (app(s).securityContext.runAsUser = 0), 'runAsUser: must not be 0'],
    ['root pod user', (s) => (s.securityContext.runAsUser = 0), 'spec.securityContext.runAsUser'],
    ['no seccomp profile', (s) => delete s.securityContext.seccompProfile, 'seccompProfile.type must be'],
    [
      'an unconfined seccomp profile',
      (s) => (s.securityContext.seccompProfile.type = 'Unconfined'),
      'Unconfined',
    ],
    ['a hostPort', (s) => (app(s).ports[0].hostPort = 8081), 'hostPort 8081'],
    [
      'an unsafe sysctl',
      (s) => (s.securityContext.sysctls = [{ name: 'kernel.msgmax', value: '1' }]),
      'kernel.msgmax',
    ],
    ['a procMount', (s) => (app(s).securityContext.procMount = 'Unmasked'), 'procMount'],
    ['an SELinux type', (s) => (s.securityContext.seLinuxOptions = { type: 'spc_t' }), 'seLinuxOptions.type'],
    [
      'an SELinux user',
      (s) => (app(s).securityContext.seLinuxOptions = { user: 'root' }),
      'seLinuxOptions.user',
    ],
    [
      'AppArmor unconfined',
      (s) => (app(s).securityContext.appArmorProfile = { type: 'Unconfined' }),
      'appArmorProfile',
    ],
    [
      'a Windows host process',
      (s) => (app(s).securityContext.windowsOptions = { hostProcess: true }),
      'hostProcess',
    ],
    [
      'an init container without hardening',
      (s) => (s.initContainers = [{ name: 'init', securityContext: {} }]),
      'spec.initContainers[init]',
    ],
  ])('catches %s', (_what, mutate, message) => {
    const spec = compliant();
    mutate(spec);
    const violations = restrictedViolations(spec);
    expect(violations.join('\n')).toContain(message);
  });

  it('catches an AppArmor unconfined annotation', () => {
    const annotations = { 'container.apparmor.security.beta.kubernetes.io/app': 'unconfined' };
    expect(restrictedViolations(compliant(), annotations)).toEqual([
      'metadata.annotations.container.apparmor.security.beta.kubernetes.io/app: unconfined',
    ]);
  });

  it('finds the pod template of every workload kind', () => {
    const template = { metadata: { labels: { a: 'b' } }, spec: compliant() };
    expect(podTemplateOf({ kind: 'Deployment', spec: { template } })).toEqual(template);
    expect(podTemplateOf({ kind: 'CronJob', spec: { jobTemplate: { spec: { template } } } })).toEqual(
      template,
    );
    expect(podTemplateOf({ kind: 'Pod', ...template })).toEqual(template);
    expect(podTemplateOf({ kind: 'Service', spec: {} })).toBeUndefined();
  });
});
