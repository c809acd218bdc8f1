// The Helm chart with real helm: strict lint, renders with default and with every optional value on, the
// values schema rejecting bad values at install time, the Pod Security "restricted" profile, and what the
// rendered objects hold (labels, PDB, NetworkPolicy, service account, checksum annotation, extra volumes).
import { describe, expect, it } from '@jest/globals';
import yaml from 'js-yaml';
import {
  CHART,
  CREDENTIALS,
  helm,
  helmWithValues,
  k8sToolsSkipReason,
  renderChart,
  type K8sObject,
} from './k8s-tools.js';
import { readRepoFile } from '../support/repo-files.js';
import { ALL_ON } from './chart-values.js';
import { restrictedViolations } from './pod-security.js';

const describeHelm = k8sToolsSkipReason ? describe.skip : describe;
type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const byKind = (objects: K8sObject[], kind: string): Obj[] => objects.filter((o) => o.kind === kind);
const one = (objects: K8sObject[], kind: string): Obj => {
  const found = byKind(objects, kind);
  expect(found.map((o) => o.kind)).toEqual([kind]);
  return found[0]!;
};
const container = (deployment: Obj): Obj => deployment.spec.template.spec.containers[0];
const envOf = (deployment: Obj): Record<string, unknown> =>
  Object.fromEntries((container(deployment).env as Obj[]).map((e) => [e.name, e.value ?? e.valueFrom]));

/** A closed schema object (all keys named, no others allowed): walked into, as the README generator does. */
const isClosed = (node: Obj | undefined): boolean =>
  !!node?.properties && node.additionalProperties === false;
/** Dotted paths of the schema's leaves. */
const schemaLeaves = (node: Obj, prefix = ''): string[] =>
  Object.entries((node.properties ?? {}) as Obj).flatMap(([k, child]) =>
    isClosed(child as Obj) ? schemaLeaves(child as Obj, prefix + k + '.') : [prefix + k],
  );
const valueAt = (values: Obj, path: string): unknown =>
  path.split('.').reduce<unknown>((v, k) => (v == null ? undefined : (v as Obj)[k]), values);

describeHelm('the Helm chart', () => {
  const schema = JSON.parse(readRepoFile('helm/baton-fivetran/values.schema.json')) as Obj;
  const defaults = yaml.load(readRepoFile('helm/baton-fivetran/values.yaml')) as Obj;

  it('passes helm lint --strict, with chart-made and with existing credentials', () => {
    for (const values of [{ credentials: CREDENTIALS }, { existingSecret: 'baton-fivetran-secrets' }]) {
      const r = helmWithValues(['lint', '--strict', CHART], values);
      expect({ code: r.code, out: r.stdout + r.stderr }).toMatchObject({ code: 0 });
      expect(r.stdout).toContain('1 chart(s) linted, 0 chart(s) failed');
    }
  });

  it('has a schema entry for every value in values.yaml, and a default in values.yaml for every schema entry', () => {
    const leaves = schemaLeaves(schema).filter((p) => p !== 'global');
    expect(leaves.filter((p) => valueAt(defaults, p) === undefined)).toEqual([]);
    const walk = (values: Obj, node: Obj, prefix: string): string[] =>
      Object.entries(values).flatMap(([k, v]) => {
        const child = node.properties?.[k] as Obj | undefined;
        if (!child) return [prefix + k];
        return isClosed(child) && v && typeof v === 'object' ? walk(v as Obj, child, prefix + k + '.') : [];
      });
    expect(walk(defaults, schema, '')).toEqual([]);
    // The all-on values below really set every value.
    expect(leaves.filter((p) => p !== 'existingSecret' && valueAt(ALL_ON, p) === undefined)).toEqual([]);
  });

  describe('rendered with default values (and credentials)', () => {
    const { text, objects } = renderChart({ credentials: CREDENTIALS });
    const deployment = one(objects, 'Deployment');
    const pod = deployment.spec.template;

    it('makes a Deployment, its Secret, a ServiceAccount and the metrics Service, and nothing optional', () => {
      expect(objects.map((o) => o.kind).sort()).toEqual([
        'Deployment',
        'Secret',
        'Service',
        'ServiceAccount',
      ]);
    });

    it('runs the image the release workflow publishes, tagged with the appVersion', () => {
      const chartYaml = yaml.load(readRepoFile('helm/baton-fivetran/Chart.yaml')) as Obj;
      expect(chartYaml.appVersion).toBe('0.1.0');
      expect(container(deployment).image).toBe('ghcr.io/baton-fivetran/baton-fivetran:0.1.0');
      expect(readRepoFile('.github/workflows/release.yml')).toContain(
        'ghcr.io/baton-fivetran/baton-fivetran',
      );
    });

    it('carries the quoted baton labels on the pod', () => {
      expect(pod.metadata.labels).toMatchObject({ baton: 'true', 'baton-app': 'fivetran' });
      expect(text).toContain('baton: "true"');
      expect(text).toContain('baton-app: "fivetran"');
    });

    it('uses its own ServiceAccount and never mounts a token', () => {
      const sa = one(objects, 'ServiceAccount');
      expect(sa.automountServiceAccountToken).toBe(false);
      expect(pod.spec.serviceAccountName).toBe(sa.metadata.name);
      expect(pod.spec.automountServiceAccountToken).toBe(false);
    });

    it('sets the settings from values, BATON_HOST_ID from the pod name and the Secret through envFrom', () => {
      expect(envOf(deployment)).toEqual({
        BATON_HOST_ID: { fieldRef: { fieldPath: 'metadata.name' } },
        BATON_C1Z_TEMP_DIR: '/baton',
        BATON_PROVISIONING: 'false',
        BATON_TASK_CONCURRENCY: '3',
        BATON_SHUTDOWN_GRACE_SECONDS: '30',
        BATON_LOG_LEVEL: 'info',
        BATON_OPS_LISTEN_ADDRESS: '0.0.0.0:8081',
      });
      const secret = one(objects, 'Secret');
      expect(container(deployment).envFrom).toEqual([{ secretRef: { name: secret.metadata.name } }]);
      expect(Object.keys(secret.stringData).sort()).toEqual([
        'BATON_CLIENT_ID',
        'BATON_CLIENT_SECRET',
        'BATON_FIVETRAN_API_KEY',
        'BATON_FIVETRAN_API_SECRET',
      ]);
    });

    it('meets the Pod Security restricted profile', () => {
      expect(restrictedViolations(pod.spec, pod.metadata.annotations ?? {})).toEqual([]);
    });
  });

  describe('rendered with every optional value on', () => {
    const { objects } = renderChart(ALL_ON);
    const deployment = one(objects, 'Deployment');
    const pod = deployment.spec.template;

    it('makes a PodDisruptionBudget over the pods, a NetworkPolicy and the monitoring objects too', () => {
      expect(objects.map((o) => o.kind).sort()).toEqual([
        'ConfigMap',
        'Deployment',
        'NetworkPolicy',
        'PodDisruptionBudget',
        'PrometheusRule',
        'Secret',
        'Service',
        'ServiceAccount',
        'ServiceMonitor',
      ]);
      const pdb = one(objects, 'PodDisruptionBudget');
      expect(pdb.spec.maxUnavailable).toBe(2);
      expect(pod.metadata.labels).toMatchObject(pdb.spec.selector.matchLabels);
    });

    it('passes pod labels, annotations, scheduling and image settings through', () => {
      expect(deployment.spec.replicas).toBe(3);
      expect(pod.metadata.labels).toMatchObject({ team: 'identity', baton: 'true', 'baton-app': 'fivetran' });
      expect(pod.metadata.annotations).toMatchObject({ 'example.com/team': 'identity' });
      expect(pod.spec).toMatchObject({
        priorityClassName: 'connectors-high',
        topologySpreadConstraints: ALL_ON.topologySpreadConstraints,
        nodeSelector: ALL_ON.nodeSelector,
        tolerations: ALL_ON.tolerations,
        affinity: ALL_ON.affinity,
        imagePullSecrets: ALL_ON.imagePullSecrets,
        serviceAccountName: 'fivetran-connector',
        terminationGracePeriodSeconds: 75,
      });
      expect(container(deployment)).toMatchObject({
        image: 'registry.corp.example/mirror/baton-fivetran:9.9.9',
        imagePullPolicy: 'Always',
        resources: ALL_ON.resources,
        ports: [{ name: 'ops', containerPort: 9090 }],
      });
      expect(one(objects, 'ServiceAccount').metadata.annotations).toEqual({ 'example.com/owner': 'iam' });
    });

    it('mounts the CA bundle volume and sets NODE_EXTRA_CA_CERTS and the other settings', () => {
      expect(pod.spec.volumes).toContainEqual(ALL_ON.extraVolumes[0]);
      expect(container(deployment).volumeMounts).toContainEqual(ALL_ON.extraVolumeMounts[0]);
      expect(envOf(deployment)).toMatchObject({
        NODE_EXTRA_CA_CERTS: '/etc/corp-ca/ca.crt',
        BATON_FIVETRAN_CONCURRENCY: '8',
        BATON_PROVISIONING: 'true',
        BATON_TASK_CONCURRENCY: '5',
        BATON_SHUTDOWN_GRACE_SECONDS: '60',
        BATON_LOG_LEVEL: 'debug',
        BATON_OPS_LISTEN_ADDRESS: '0.0.0.0:9090',
      });
    });

    it('lets in only the ops port and lets out only DNS, HTTPS to the given ranges and the extra rules', () => {
      const policy = one(objects, 'NetworkPolicy');
      expect(policy.spec.podSelector.matchLabels).toEqual(
        one(objects, 'PodDisruptionBudget').spec.selector.matchLabels,
      );
      expect(policy.spec.policyTypes).toEqual(['Ingress', 'Egress']);
      expect(policy.spec.ingress).toEqual([
        { ports: [{ port: 'ops', protocol: 'TCP' }], from: ALL_ON.networkPolicy.ingressFrom },
      ]);
      expect(policy.spec.egress).toEqual([
        {
          ports: [
            { port: 53, protocol: 'UDP' },
            { port: 53, protocol: 'TCP' },
          ],
        },
        {
          ports: [{ port: 443, protocol: 'TCP' }],
          to: [{ ipBlock: { cidr: '203.0.113.0/24' } }, { ipBlock: { cidr: '198.51.100.0/24' } }],
        },
        ...ALL_ON.networkPolicy.extraEgress,
      ]);
    });

    it('meets the Pod Security restricted profile', () => {
      expect(restrictedViolations(pod.spec, pod.metadata.annotations)).toEqual([]);
    });
  });

  it('adds the PodDisruptionBudget only above one replica', () => {
    const kinds = (replicaCount: number) =>
      renderChart({ credentials: CREDENTIALS, replicaCount }).objects.map((o) => o.kind);
    expect(kinds(1)).not.toContain('PodDisruptionBudget');
    expect(kinds(2)).toContain('PodDisruptionBudget');
  });

  it('rolls the pods when the chart-made Secret changes, and only then', () => {
    const checksum = (values: object): unknown =>
      (one(renderChart(values).objects, 'Deployment').spec.template.metadata.annotations ?? {})[
        'checksum/secret'
      ];
    const base = checksum({ credentials: CREDENTIALS });
    expect(base).toMatch(/^[0-9a-f]{16}$/);
    expect(checksum({ credentials: CREDENTIALS, logLevel: 'debug' })).toBe(base);
    expect(checksum({ credentials: { ...CREDENTIALS, clientSecret: 'rotated-secret' } })).not.toBe(base);
    expect(checksum({ existingSecret: 'baton-fivetran-secrets' })).toBeUndefined();
  });

  it('uses an existing Secret without making one or needing credentials', () => {
    const { objects } = renderChart({ existingSecret: 'baton-fivetran-secrets' });
    expect(byKind(objects, 'Secret')).toEqual([]);
    expect(container(one(objects, 'Deployment')).envFrom).toEqual([
      { secretRef: { name: 'baton-fivetran-secrets' } },
    ]);
  });

  describe('the values schema stops helm install with a message naming the value', () => {
    const install = (values: object) =>
      helmWithValues(['install', 'demo', CHART, '--dry-run=client'], values);
    const withCreds = (values: object) => ({ credentials: CREDENTIALS, ...values });

    it.each([
      ['an unknown log level', withCreds({ logLevel: 'verbose' }), "at '/logLevel': value must be one of"],
      [
        'a string replica count',
        withCreds({ replicaCount: 'two' }),
        "at '/replicaCount': got string, want integer",
      ],
      ['a negative replica count', withCreds({ replicaCount: -1 }), "at '/replicaCount': minimum"],
      [
        'a string boolean',
        withCreds({ provisioning: 'yes' }),
        "at '/provisioning': got string, want boolean",
      ],
      ['task concurrency 0', withCreds({ taskConcurrency: 0 }), "at '/taskConcurrency': minimum"],
      ['an ops port out of range', withCreds({ ops: { port: 70000 } }), "at '/ops/port': maximum"],
      ['an unknown pull policy', withCreds({ image: { pullPolicy: 'Sometimes' } }), "at '/image/pullPolicy'"],
      [
        'a misspelt top-level key',
        withCreds({ provisionning: true }),
        "additional properties 'provisionning' not allowed",
      ],
      [
        'a misspelt nested key',
        withCreds({ networkPolicy: { enable: true } }),
        "additional properties 'enable' not allowed",
      ],
      ['a pod label the chart owns', withCreds({ podLabels: { baton: 'false' } }), "at '/podLabels/baton'"],
      ['a bad env var name', withCreds({ extraEnv: { 'BAD-NAME': 'x' } }), "invalid propertyName 'BAD-NAME'"],
      ['a bad size', withCreds({ workDirSizeLimit: 'two gigs' }), "at '/workDirSizeLimit'"],
      [
        'an alert ratio above 1',
        withCreds({ metrics: { prometheusRule: { thresholds: { taskErrorRatio: 1.5 } } } }),
        "at '/metrics/prometheusRule/thresholds/taskErrorRatio'",
      ],
      [
        'an alert ratio that is not a number',
        withCreds({ metrics: { prometheusRule: { thresholds: { memoryLimitRatio: 'most' } } } }),
        "at '/metrics/prometheusRule/thresholds/memoryLimitRatio'",
      ],
      [
        'a bad alert duration',
        withCreds({ metrics: { prometheusRule: { thresholds: { downFor: '5 minutes' } } } }),
        "at '/metrics/prometheusRule/thresholds/downFor'",
      ],
      [
        'a misspelt monitoring switch',
        withCreds({ metrics: { serviceMonitor: { enable: true } } }),
        "additional properties 'enable' not allowed",
      ],
      ['no credentials and no existingSecret', {}, "at '/credentials/clientId': minLength: got 0, want 1"],
      [
        'one missing credential',
        { credentials: { ...CREDENTIALS, fivetranApiSecret: '' } },
        "at '/credentials/fivetranApiSecret': minLength: got 0, want 1",
      ],
    ])('%s', (_what, values, message) => {
      const r = install(values);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toContain("values don't meet the specifications of the schema");
      expect(r.stderr).toContain(message);
    });

    it('accepts good values (the install dry run succeeds)', () => {
      for (const values of [{ existingSecret: 'baton-fivetran-secrets' }, ALL_ON]) {
        const r = install(values);
        expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
      }
    });

    it('also stops helm template on --set typos', () => {
      const r = helm(['template', 'demo', CHART, '--set', 'existingSecret=s', '--set', 'logLevel=verbose']);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toContain("at '/logLevel'");
    });
  });
});
