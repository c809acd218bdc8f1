// Chart values shared by the deploy tests.
import { CREDENTIALS } from './k8s-tools.js';

/** Every value the chart offers, switched on or set to something other than its default. */
export const ALL_ON = {
  image: { repository: 'registry.corp.example/mirror/baton-fivetran', tag: '9.9.9', pullPolicy: 'Always' },
  imagePullSecrets: [{ name: 'corp-registry' }],
  replicaCount: 3,
  existingSecret: '',
  credentials: CREDENTIALS,
  provisioning: true,
  taskConcurrency: 5,
  shutdownGraceSeconds: 60,
  logLevel: 'debug',
  extraEnv: { BATON_FIVETRAN_CONCURRENCY: '8', NODE_EXTRA_CA_CERTS: '/etc/corp-ca/ca.crt' },
  ops: { port: 9090, metricsService: true },
  metrics: {
    serviceMonitor: { enabled: true, interval: '15s', scrapeTimeout: '5s', labels: { release: 'kps' } },
    prometheusRule: {
      enabled: true,
      labels: { release: 'kps' },
      runbookBaseUrl: 'https://runbooks.example.com/baton',
      thresholds: {
        downFor: '10m',
        noSuccessfulSyncSeconds: 7200,
        taskErrorRatio: 0.4,
        taskErrorFor: '30m',
        rateLimitedFor: '1h',
        controlPlaneDownFor: '20m',
        memoryLimitRatio: 0.8,
        memoryFor: '5m',
      },
    },
    dashboard: {
      enabled: true,
      labels: { grafana_dashboard: '1' },
      annotations: { grafana_folder: 'Connectors' },
      namespace: 'monitoring',
    },
  },
  resources: { requests: { cpu: '200m', memory: '256Mi' }, limits: { memory: '1Gi' } },
  workDirSizeLimit: '4Gi',
  serviceAccount: { create: true, name: 'fivetran-connector', annotations: { 'example.com/owner': 'iam' } },
  podAnnotations: { 'example.com/team': 'identity' },
  podLabels: { team: 'identity' },
  podDisruptionBudget: { maxUnavailable: 2 },
  networkPolicy: {
    enabled: true,
    egressCidrs: ['203.0.113.0/24', '198.51.100.0/24'],
    ingressFrom: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } }],
    extraEgress: [{ to: [{ ipBlock: { cidr: '10.0.0.10/32' } }], ports: [{ port: 3128, protocol: 'TCP' }] }],
  },
  extraVolumes: [{ name: 'corp-ca', configMap: { name: 'corp-ca-bundle' } }],
  extraVolumeMounts: [{ name: 'corp-ca', mountPath: '/etc/corp-ca', readOnly: true }],
  nodeSelector: { 'kubernetes.io/os': 'linux' },
  tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'connectors', effect: 'NoSchedule' }],
  affinity: {
    nodeAffinity: {
      requiredDuringSchedulingIgnoredDuringExecution: {
        nodeSelectorTerms: [
          { matchExpressions: [{ key: 'kubernetes.io/arch', operator: 'In', values: ['amd64'] }] },
        ],
      },
    },
  },
  topologySpreadConstraints: [
    {
      maxSkew: 1,
      topologyKey: 'topology.kubernetes.io/zone',
      whenUnsatisfiable: 'ScheduleAnyway',
      labelSelector: { matchLabels: { 'app.kubernetes.io/name': 'baton-fivetran' } },
    },
  ],
  priorityClassName: 'connectors-high',
};
