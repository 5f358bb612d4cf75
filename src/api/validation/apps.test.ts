/** @module api/validation/apps.test
 * Table-driven tests for api/validation/apps: one row per case, exact kube-apiserver messages.
 */
import { PORT_RANGE, QNAME_NAME_MSG, SUBDOMAIN_MSG, runTable } from './test-table.js';

type Obj = Record<string, unknown>;
const template = (labels: Obj | null = { app: 'web' }, spec: Obj = {}): Obj => ({
  metadata: labels === null ? {} : { labels },
  spec: { containers: [{ name: 'web', image: 'nginx' }], ...spec },
});
const deploy = (spec: Obj, name = 'web'): Obj => ({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace: 'default' }, spec });
const sel = (matchLabels: Obj): Obj => ({ matchLabels });
const stored = (spec: Obj): Obj => ({ metadata: { name: 'web', namespace: 'default', resourceVersion: '5', uid: 'u' }, spec });

runTable('apps/Deployment', [
  { name: 'typical deployment is valid', obj: deploy({ replicas: 3, selector: sel({ app: 'web' }), template: template() }), want: [] },
  {
    name: 'selector must match template labels',
    obj: deploy({ selector: sel({ app: 'x' }), template: template({ app: 'web' }) }),
    want: ['spec.template.metadata.labels: Invalid value: map[string]string{"app":"web"}: `selector` does not match template `labels`'],
  },
  {
    name: 'selector required (and then nothing matches)',
    obj: deploy({ template: template({ app: 'x' }) }),
    want: ['spec.selector: Required value', 'spec.template.metadata.labels: Invalid value: map[string]string{"app":"x"}: `selector` does not match template `labels`'],
  },
  {
    name: 'template without labels',
    obj: deploy({ selector: sel({ app: 'web' }), template: template(null) }),
    want: ['spec.template.metadata.labels: Invalid value: map[string]string(nil): `selector` does not match template `labels`'],
  },
  {
    name: 'empty selector is invalid',
    obj: deploy({ selector: {}, template: template() }),
    want: ['spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty selector is invalid for deployment'],
  },
  {
    name: 'matchExpressions selector matching',
    obj: deploy({ selector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['web', 'api'] }] }, template: template() }),
    want: [],
  },
  {
    name: 'invalid selector operator',
    obj: deploy({ selector: { matchExpressions: [{ key: 'app', operator: 'Equals', values: ['web'] }] }, template: template() }),
    want: [
      'spec.selector.matchExpressions[0].operator: Invalid value: "Equals": not a valid selector operator',
      'spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement{v1.LabelSelectorRequirement{Key:"app", Operator:"Equals", Values:[]string{"web"}}}}: invalid label selector',
    ],
  },
  {
    name: 'replicas must not be negative',
    obj: deploy({ replicas: -1, selector: sel({ app: 'web' }), template: template() }),
    want: ['spec.replicas: Invalid value: -1: must be greater than or equal to 0'],
  },
  {
    name: 'template restartPolicy must be Always',
    obj: deploy({ selector: sel({ app: 'web' }), template: template({ app: 'web' }, { restartPolicy: 'OnFailure' }) }),
    want: ['spec.template.spec.restartPolicy: Unsupported value: "OnFailure": supported values: "Always"'],
  },
  {
    name: 'template pod spec errors use the template path',
    obj: deploy({ selector: sel({ app: 'web' }), template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx', ports: [{ containerPort: 0 }] }] } } }),
    want: ['spec.template.spec.containers[0].ports[0].containerPort: Required value'],
  },
  {
    name: 'strategy: maxSurge and maxUnavailable both 0',
    obj: deploy({ selector: sel({ app: 'web' }), template: template(), strategy: { rollingUpdate: { maxSurge: 0, maxUnavailable: 0 } } }),
    want: ['spec.strategy.rollingUpdate.maxUnavailable: Invalid value: intstr.IntOrString{Type:0, IntVal:0, StrVal:""}: may not be 0 when `maxSurge` is 0'],
  },
  {
    name: 'strategy: bad percent and over 100%',
    obj: deploy({ selector: sel({ app: 'web' }), template: template(), strategy: { rollingUpdate: { maxSurge: 'lots', maxUnavailable: '150%' } } }),
    want: [
      "spec.strategy.rollingUpdate.maxSurge: Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:\"lots\"}: a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')",
      'spec.strategy.rollingUpdate.maxUnavailable: Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:"150%"}: must not be greater than 100%',
    ],
  },
  {
    name: 'Recreate with rollingUpdate',
    obj: deploy({ selector: sel({ app: 'web' }), template: template(), strategy: { type: 'Recreate', rollingUpdate: { maxSurge: 1 } } }),
    want: ["spec.strategy.rollingUpdate: Forbidden: may not be specified when strategy `type` is 'Recreate'"],
  },
  {
    name: 'unknown strategy type',
    obj: deploy({ selector: sel({ app: 'web' }), template: template(), strategy: { type: 'BlueGreen' } }),
    want: ['spec.strategy: Unsupported value: apps.DeploymentStrategy{Type:"BlueGreen", RollingUpdate:(*apps.RollingUpdateDeployment)(nil)}: supported values: "Recreate", "RollingUpdate"'],
  },
  {
    name: 'progressDeadlineSeconds must exceed minReadySeconds',
    obj: deploy({ selector: sel({ app: 'web' }), template: template(), minReadySeconds: 700 }),
    want: ['spec.progressDeadlineSeconds: Invalid value: 600: must be greater than minReadySeconds'],
  },
  {
    name: 'deployment name is a subdomain',
    obj: deploy({ selector: sel({ app: 'web' }), template: template() }, 'Web_1'),
    want: [`metadata.name: Invalid value: "Web_1": ${SUBDOMAIN_MSG}`],
  },
  {
    name: 'selector label key invalid',
    obj: deploy({ selector: sel({ 'app!': 'web' }), template: template({ 'app!': 'web' }) }),
    want: [
      `spec.selector.matchLabels: Invalid value: "app!": ${QNAME_NAME_MSG}`,
      `spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app!":"web"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: invalid label selector`,
    ],
  },
  {
    name: 'selector is immutable in apps/v1',
    old: stored({ selector: sel({ app: 'web' }), template: template({ app: 'web', tier: 'fe' }) }),
    obj: stored({ selector: sel({ app: 'web', tier: 'fe' }), template: template({ app: 'web', tier: 'fe' }) }),
    want: ['spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"web", "tier":"fe"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable'],
  },
  {
    name: 'scaling is a valid update',
    old: stored({ replicas: 1, selector: sel({ app: 'web' }), template: template() }),
    obj: stored({ replicas: 5, selector: sel({ app: 'web' }), template: template() }),
    want: [],
  },
]);

const rs = (spec: Obj): Obj => ({ apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'web-abc', namespace: 'default' }, spec });
runTable('apps/ReplicaSet', [
  { name: 'valid', obj: rs({ selector: sel({ app: 'web' }), template: template() }), want: [] },
  {
    name: 'selector required, replicas, minReadySeconds',
    obj: rs({ replicas: -2, minReadySeconds: -1, template: template() }),
    want: [
      'spec.replicas: Invalid value: -2: must be greater than or equal to 0',
      'spec.minReadySeconds: Invalid value: -1: must be greater than or equal to 0',
      'spec.selector: Required value',
      'spec.template.metadata.labels: Invalid value: map[string]string{"app":"web"}: `selector` does not match template `labels`',
    ],
  },
  {
    name: 'activeDeadlineSeconds forbidden in template',
    obj: rs({ selector: sel({ app: 'web' }), template: template({ app: 'web' }, { activeDeadlineSeconds: 5 }) }),
    want: ['spec.template.spec.activeDeadlineSeconds: Forbidden: activeDeadlineSeconds in ReplicaSet is not Supported'],
  },
  {
    name: 'template container probe port',
    obj: rs({ selector: sel({ app: 'web' }), template: template({ app: 'web' }, { containers: [{ name: 'web', image: 'nginx', livenessProbe: { httpGet: { port: 99999 } } }] }) }),
    want: [`spec.template.spec.containers[0].livenessProbe.httpGet.port: Invalid value: 99999: ${PORT_RANGE}`],
  },
  {
    name: 'selector immutable on update',
    old: { metadata: { name: 'web-abc', namespace: 'default', resourceVersion: '1', uid: 'u' }, spec: { selector: sel({ app: 'web' }), template: template() } },
    obj: { metadata: { name: 'web-abc', namespace: 'default', resourceVersion: '1', uid: 'u' }, spec: { selector: { matchExpressions: [{ key: 'app', operator: 'Exists' }] }, template: template() } },
    want: [
      'spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement{v1.LabelSelectorRequirement{Key:"app", Operator:"Exists", Values:[]string(nil)}}}: field is immutable',
    ],
  },
]);

runTable('apps/ControllerRevision', [
  { name: 'valid', obj: { metadata: { name: 'web-1', namespace: 'default' }, data: {}, revision: 1 }, want: [] },
  { name: 'data required', obj: { metadata: { name: 'web-1', namespace: 'default' }, revision: -1 }, want: ['data: Required value: data is mandatory', 'revision: Invalid value: -1: must be greater than or equal to 0'] },
]);
