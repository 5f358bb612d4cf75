/** @module api/validation/pod.test
 * Table-driven tests for api/validation/pod: one row per case, exact kube-apiserver messages.
 */
import { LABEL_MSG, LABEL_VALUE_MSG, PORT_RANGE, QNAME_NAME_MSG, SUBDOMAIN_MSG, runTable } from './test-table.js';

type Obj = Record<string, unknown>;
const pod = (spec: Obj, name = 'p'): Obj => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default' }, spec });
const ctr = (extra: Obj = {}): Obj => ({ name: 'app', image: 'nginx:1.27', ...extra });
const stored = (spec: Obj): Obj => ({ metadata: { name: 'p', namespace: 'default', resourceVersion: '3', uid: 'u' }, spec });

runTable('/Pod', [
  { name: 'minimal pod is valid', obj: pod({ containers: [ctr()] }), want: [] },
  {
    name: 'busybox with command, env, probes, volume is valid',
    obj: pod({
      containers: [
        ctr({
          image: 'busybox',
          command: ['sh', '-c', 'sleep 3600'],
          env: [{ name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } }, { name: 'A', value: '1' }],
          ports: [{ name: 'http', containerPort: 8080 }],
          readinessProbe: { httpGet: { port: 'http' } },
          livenessProbe: { tcpSocket: { port: 8080 } },
          volumeMounts: [{ name: 'data', mountPath: '/data' }],
        }),
      ],
      volumes: [{ name: 'data' }],
    }),
    want: [],
  },
  { name: 'containers required', obj: pod({}), want: ['spec.containers: Required value'] },
  {
    name: 'container name required, image required',
    obj: pod({ containers: [{ name: '', image: '' }] }),
    want: ['spec.containers[0].name: Required value', 'spec.containers[0].image: Required value'],
  },
  {
    name: 'container name must be a DNS label, unique',
    obj: pod({ containers: [ctr({ name: 'Web' }), ctr({ name: 'Web' })] }),
    want: [
      `spec.containers[0].name: Invalid value: "Web": ${LABEL_MSG}`,
      `spec.containers[1].name: Invalid value: "Web": ${LABEL_MSG}`,
      'spec.containers[1].name: Duplicate value: "Web"',
    ],
  },
  {
    name: 'init container names collide with containers',
    obj: pod({ containers: [ctr()], initContainers: [ctr({ image: 'busybox' })] }),
    want: ['spec.initContainers[0].name: Duplicate value: "app"'],
  },
  {
    name: 'container ports: range, protocol, names',
    obj: pod({
      containers: [
        ctr({
          ports: [
            { containerPort: 0 },
            { containerPort: 65536, protocol: 'ICMP' },
            { name: 'http', containerPort: 80, hostPort: 70000 },
            { name: 'http', containerPort: 81 },
            { name: '8080', containerPort: 82 },
          ],
        }),
      ],
    }),
    want: [
      'spec.containers[0].ports[0].containerPort: Required value',
      `spec.containers[0].ports[1].containerPort: Invalid value: 65536: ${PORT_RANGE}`,
      'spec.containers[0].ports[1].protocol: Unsupported value: "ICMP": supported values: "SCTP", "TCP", "UDP"',
      `spec.containers[0].ports[2].hostPort: Invalid value: 70000: ${PORT_RANGE}`,
      'spec.containers[0].ports[3].name: Duplicate value: "http"',
      'spec.containers[0].ports[4].name: Invalid value: "8080": must contain at least one letter (a-z)',
    ],
  },
  {
    name: 'hostPort conflicts across containers',
    obj: pod({ containers: [ctr({ ports: [{ containerPort: 80, hostPort: 8080 }] }), ctr({ name: 'b', ports: [{ containerPort: 81, hostPort: 8080 }] })] }),
    want: ['spec.containers[1].ports[0].hostPort: Duplicate value: "TCP//8080"'],
  },
  {
    name: 'restartPolicy and dnsPolicy values',
    obj: pod({ containers: [ctr()], restartPolicy: 'Sometimes', dnsPolicy: 'Google' }),
    want: [
      'spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"',
      'spec.dnsPolicy: Unsupported value: "Google": supported values: "ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"',
    ],
  },
  {
    name: 'dnsPolicy None requires dnsConfig',
    obj: pod({ containers: [ctr()], dnsPolicy: 'None' }),
    want: ['spec.dnsConfig: Required value: must provide `dnsConfig` when `dnsPolicy` is None'],
  },
  {
    name: 'dnsConfig nameservers must be IPs',
    obj: pod({ containers: [ctr()], dnsPolicy: 'None', dnsConfig: { nameservers: ['1.1.1.1', 'dns.google'] } }),
    want: ['spec.dnsConfig.nameservers[1]: Invalid value: "dns.google": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)'],
  },
  {
    name: 'probe needs a handler; liveness successThreshold must be 1',
    obj: pod({ containers: [ctr({ livenessProbe: { successThreshold: 2 }, readinessProbe: { exec: {}, initialDelaySeconds: -1 } })] }),
    want: [
      'spec.containers[0].livenessProbe: Required value: must specify a handler type',
      'spec.containers[0].livenessProbe.successThreshold: Invalid value: 2: must be 1',
      'spec.containers[0].readinessProbe.exec.command: Required value',
      'spec.containers[0].readinessProbe.initialDelaySeconds: Invalid value: -1: must be greater than or equal to 0',
    ],
  },
  {
    name: 'probe with two handlers, bad port, bad scheme',
    obj: pod({ containers: [ctr({ readinessProbe: { httpGet: { port: 0, scheme: 'FTP' }, tcpSocket: { port: 80 } } })] }),
    want: [
      `spec.containers[0].readinessProbe.httpGet.port: Invalid value: 0: ${PORT_RANGE}`,
      'spec.containers[0].readinessProbe.httpGet.scheme: Unsupported value: "FTP": supported values: "HTTP", "HTTPS"',
      'spec.containers[0].readinessProbe.tcpSocket: Forbidden: may not specify more than 1 handler type',
    ],
  },
  {
    name: 'readiness probe may not set terminationGracePeriodSeconds',
    obj: pod({ containers: [ctr({ readinessProbe: { tcpSocket: { port: 80 }, terminationGracePeriodSeconds: 5 } })] }),
    want: ['spec.containers[0].readinessProbe.terminationGracePeriodSeconds: Invalid value: 5: must not be set for readinessProbes'],
  },
  {
    name: 'init containers may not have probes unless restartable',
    obj: pod({ containers: [ctr()], initContainers: [ctr({ name: 'init', livenessProbe: { tcpSocket: { port: 80 } } })] }),
    want: ['spec.initContainers[0].livenessProbe: Forbidden: may not be set for init containers without restartPolicy=Always'],
  },
  {
    name: 'regular containers may not set restartPolicy',
    obj: pod({ containers: [ctr({ restartPolicy: 'Always' })] }),
    want: ['spec.containers[0].restartPolicy: Forbidden: may not be set for non-init containers'],
  },
  {
    name: 'env: name required, valueFrom needs one source',
    obj: pod({ containers: [ctr({ env: [{ name: '' }, { name: 'A=B' }, { name: 'X', valueFrom: {} }, { name: 'Y', value: 'v', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }] })] }),
    want: [
      'spec.containers[0].env[0].name: Required value',
      "spec.containers[0].env[1].name: Invalid value: \"A=B\": a valid environment variable name must consist only of printable ASCII characters other than '='",
      'spec.containers[0].env[2].valueFrom: Invalid value: "": must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`',
      'spec.containers[0].env[3].valueFrom: Invalid value: "": may not be specified when `value` is not empty',
    ],
  },
  {
    name: 'env fieldRef path not supported',
    obj: pod({ containers: [ctr({ env: [{ name: 'P', valueFrom: { fieldRef: { fieldPath: 'status.phase' } } }, { name: 'Q', valueFrom: { fieldRef: { fieldPath: 'spec.nope' } } }] })] }),
    want: [
      'spec.containers[0].env[0].valueFrom.fieldRef.fieldPath: Unsupported value: "status.phase": supported values: "metadata.name", "metadata.namespace", "metadata.uid", "spec.nodeName", "spec.serviceAccountName", "status.hostIP", "status.hostIPs", "status.podIP", "status.podIPs"',
      'spec.containers[0].env[1].valueFrom.fieldRef.fieldPath: Invalid value: "spec.nope": error converting fieldPath: field label not supported: spec.nope',
    ],
  },
  {
    name: 'volume mounts must name a volume',
    obj: pod({ containers: [ctr({ volumeMounts: [{ name: 'cfg', mountPath: '/etc/cfg' }, { name: 'data', mountPath: '' }] })], volumes: [{ name: 'data' }] }),
    want: ['spec.containers[0].volumeMounts[0].name: Not found: "cfg"', 'spec.containers[0].volumeMounts[1].mountPath: Required value'],
  },
  {
    name: 'volumes: names, duplicates, one source only, required source fields',
    obj: pod({
      containers: [ctr()],
      volumes: [{ name: 'Data' }, { name: 'a' }, { name: 'a' }, { name: 'b', configMap: {}, secret: { secretName: 's' } }],
    }),
    want: [
      `spec.volumes[0].name: Invalid value: "Data": ${LABEL_MSG}`,
      'spec.volumes[2].name: Duplicate value: "a"',
      // upstream checks secret before configMap, so configMap is the extra one
      'spec.volumes[3].configMap: Forbidden: may not specify more than 1 volume type',
    ],
  },
  {
    name: 'imagePullPolicy value',
    obj: pod({ containers: [ctr({ imagePullPolicy: 'Sometimes' })] }),
    want: ['spec.containers[0].imagePullPolicy: Unsupported value: "Sometimes": supported values: "Always", "IfNotPresent", "Never"'],
  },
  {
    name: 'requests above limits',
    obj: pod({ containers: [ctr({ resources: { requests: { cpu: '2', memory: '64Mi' }, limits: { cpu: '1000m', memory: '0.5Gi' } } })] }),
    want: ['spec.containers[0].resources.requests: Invalid value: "2": must be less than or equal to cpu limit of 1'],
  },
  {
    name: 'image whitespace is rejected for pods',
    obj: pod({ containers: [ctr({ image: ' nginx' })] }),
    want: ['spec.containers[0].image: Invalid value: " nginx": must not have leading or trailing whitespace'],
  },
  {
    name: 'nodeName, serviceAccountName and hostname formats',
    obj: pod({ containers: [ctr()], nodeName: 'Node_1', serviceAccountName: 'sa!', hostname: 'a.b' }),
    want: [
      `spec.serviceAccountName: Invalid value: "sa!": ${SUBDOMAIN_MSG}`,
      `spec.nodeName: Invalid value: "Node_1": ${SUBDOMAIN_MSG}`,
      'spec.hostname: Invalid value: "a.b": must not contain dots',
    ],
  },
  {
    name: 'tolerations',
    obj: pod({ containers: [ctr()], tolerations: [{ operator: 'Equal', value: 'x' }, { key: 'k', operator: 'Exists', value: 'v', effect: 'NoRun' }] }),
    want: [
      'spec.tolerations[0].operator: Invalid value: "Equal": operator must be Exists when `key` is empty, which means "match all values and all keys"',
      "spec.tolerations[1].operator: Invalid value: \"v\": value must be empty when `operator` is 'Exists'",
      'spec.tolerations[1].effect: Unsupported value: "NoRun": supported values: "NoSchedule", "PreferNoSchedule", "NoExecute"',
    ],
  },
  {
    name: 'labels and pod name',
    obj: { metadata: { name: 'My_Pod', namespace: 'default', labels: { app: 'not valid!' } }, spec: { containers: [ctr()] } },
    want: [`metadata.name: Invalid value: "My_Pod": ${SUBDOMAIN_MSG}`, `metadata.labels: Invalid value: "not valid!": ${LABEL_VALUE_MSG}`],
  },
  {
    name: 'hostNetwork: hostPort must equal containerPort',
    obj: pod({ hostNetwork: true, containers: [ctr({ ports: [{ containerPort: 80, hostPort: 81 }] })] }),
    want: ['spec.containers[0].ports[0].hostPort: Invalid value: 81: must match `containerPort` when `hostNetwork` is true'],
  },
  {
    name: 'ephemeral containers cannot be set on create',
    obj: pod({ containers: [ctr()], ephemeralContainers: [{ name: 'debug', image: 'busybox' }] }),
    want: ['spec.ephemeralContainers: Forbidden: cannot be set on create'],
  },
  {
    name: 'annotation keys are qualified names',
    obj: { metadata: { name: 'p', namespace: 'default', annotations: { 'a/b/c': 'x' } }, spec: { containers: [ctr()] } },
    want: [
      "metadata.annotations: Invalid value: \"a/b/c\": a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
    ],
  },
  {
    name: 'label key with bad prefix and name',
    obj: { metadata: { name: 'p', namespace: 'default', labels: { 'Example.com/-x': 'v' } }, spec: { containers: [ctr()] } },
    want: [`metadata.labels: Invalid value: "Example.com/-x": prefix part ${SUBDOMAIN_MSG}`, `metadata.labels: Invalid value: "Example.com/-x": ${QNAME_NAME_MSG}`],
  },
  // Updates
  {
    name: 'image may change',
    old: stored({ containers: [ctr()] }),
    obj: stored({ containers: [ctr({ image: 'nginx:1.28' })] }),
    want: [],
  },
  {
    name: 'containers may not be added',
    old: stored({ containers: [ctr()] }),
    obj: stored({ containers: [ctr(), ctr({ name: 'b' })] }),
    want: ['spec.containers: Forbidden: pod updates may not add or remove containers'],
  },
  {
    name: 'other spec fields are immutable',
    old: stored({ containers: [ctr()] }),
    obj: stored({ containers: [ctr()], restartPolicy: 'Never' }),
    want: [
      'spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)\n- spec.restartPolicy: "Always"\n+ spec.restartPolicy: "Never"',
    ],
  },
  {
    name: 'activeDeadlineSeconds may only shrink',
    old: stored({ containers: [ctr()], activeDeadlineSeconds: 10 }),
    obj: stored({ containers: [ctr()], activeDeadlineSeconds: 20 }),
    want: ['spec.activeDeadlineSeconds: Invalid value: 20: must be less than or equal to previous value'],
  },
]);

