/**
 * @module controllers/kubelet/env
 * A container's environment and command line as the kubelet computes them:
 * Service link variables (`BACKEND_CLUSTERIP_SERVICE_HOST`, ...), `envFrom`, `env`
 * in order with `$(VAR)` expansion against what came before, `valueFrom`
 * (fieldRef, resourceFieldRef, configMapKeyRef, secretKeyRef), then `$(VAR)`
 * expansion of `command` and `args`. Pure: lookups are passed in.
 */

export interface EnvVar {
  readonly name: string;
  readonly value?: string;
  readonly valueFrom?: {
    readonly fieldRef?: { readonly fieldPath: string };
    readonly resourceFieldRef?: { readonly resource: string; readonly containerName?: string; readonly divisor?: string | number };
    readonly configMapKeyRef?: { readonly name: string; readonly key: string; readonly optional?: boolean };
    readonly secretKeyRef?: { readonly name: string; readonly key: string; readonly optional?: boolean };
  };
}

export interface EnvFromSource {
  readonly prefix?: string;
  readonly configMapRef?: { readonly name: string; readonly optional?: boolean };
  readonly secretRef?: { readonly name: string; readonly optional?: boolean };
}

export interface EnvInputs {
  readonly pod: {
    readonly metadata: { readonly name?: string; readonly namespace?: string; readonly uid?: string; readonly labels?: Record<string, string>; readonly annotations?: Record<string, string> };
    readonly spec: { readonly nodeName?: string; readonly serviceAccountName?: string; readonly serviceAccount?: string };
  };
  readonly podIp: string;
  readonly hostIp: string;
  readonly container: { readonly name: string; readonly env?: ReadonlyArray<EnvVar>; readonly envFrom?: ReadonlyArray<EnvFromSource>; readonly resources?: { readonly limits?: Record<string, string>; readonly requests?: Record<string, string> } };
  /** Node allocatable, used when a resourceFieldRef names a limit that is not set. */
  readonly nodeAllocatable: Record<string, string>;
  readonly configMap: (name: string) => Record<string, string> | undefined;
  /** Secret data, already base64-decoded. */
  readonly secret: (name: string) => Record<string, string> | undefined;
  /** Service link variables for the pod's namespace (empty when enableServiceLinks is false). */
  readonly serviceEnv: Record<string, string>;
}

/** Why a container cannot be created (the kubelet shows CreateContainerConfigError). */
export class EnvError extends Error {}

/** Replaces $(VAR) with values from `vars`; `$$(VAR)` gives a literal `$(VAR)`; unknown names stay as written. */
export function expand(s: string, vars: Readonly<Record<string, string>>): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '$' && s[i + 1] === '$') {
      out += '$';
      i++;
      continue;
    }
    if (c === '$' && s[i + 1] === '(') {
      const end = s.indexOf(')', i + 2);
      if (end > 0) {
        const name = s.slice(i + 2, end);
        if (Object.prototype.hasOwnProperty.call(vars, name)) {
          out += vars[name];
          i = end;
          continue;
        }
      }
    }
    out += c;
  }
  return out;
}

function fieldRef(path: string, inp: EnvInputs): string {
  const md = inp.pod.metadata;
  const m = /^metadata\.(labels|annotations)\['(.+)'\]$/.exec(path);
  if (m) return (m[1] === 'labels' ? md.labels : md.annotations)?.[m[2]!] ?? '';
  switch (path) {
    case 'metadata.name':
      return md.name ?? '';
    case 'metadata.namespace':
      return md.namespace ?? '';
    case 'metadata.uid':
      return md.uid ?? '';
    case 'spec.nodeName':
      return inp.pod.spec.nodeName ?? '';
    case 'spec.serviceAccountName':
      return inp.pod.spec.serviceAccountName ?? inp.pod.spec.serviceAccount ?? 'default';
    case 'status.hostIP':
    case 'status.hostIPs':
      return inp.hostIp;
    case 'status.podIP':
    case 'status.podIPs':
      return inp.podIp;
    default:
      throw new EnvError(`unsupported fieldRef "${path}"`);
  }
}

const SUFFIX: Record<string, number> = { m: 1e-3, k: 1e3, M: 1e6, G: 1e9, T: 1e12, Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3, Ti: 1024 ** 4 };

/** Parses a Kubernetes quantity ("500m", "128Mi", "2") to a number. */
export function quantity(q: string | number): number {
  if (typeof q === 'number') return q;
  const m = /^([0-9.]+)([a-zA-Z]*)$/.exec(q.trim());
  if (!m) return Number(q) || 0;
  return Number(m[1]) * (m[2] ? SUFFIX[m[2]] ?? 1 : 1);
}

function resourceField(ref: NonNullable<EnvVar['valueFrom']>['resourceFieldRef'] & object, inp: EnvInputs): string {
  const [kind, res] = ref.resource.split('.') as [string, string];
  const fromSpec = kind === 'limits' ? inp.container.resources?.limits?.[res] : inp.container.resources?.requests?.[res];
  const raw = fromSpec ?? (kind === 'limits' ? inp.nodeAllocatable[res] : res === 'cpu' ? '0' : '0');
  const divisor = quantity(ref.divisor ?? 1) || 1;
  // The kubelet rounds up (cpu limits of 500m with divisor 1 give "1").
  return String(Math.ceil(quantity(raw ?? '0') / divisor));
}

/** The container's final environment, in the order the kubelet sets it. */
export function containerEnv(inp: EnvInputs): Record<string, string> {
  const env: Record<string, string> = { ...inp.serviceEnv };
  for (const src of inp.container.envFrom ?? []) {
    const prefix = src.prefix ?? '';
    if (src.configMapRef) {
      const cm = inp.configMap(src.configMapRef.name);
      if (!cm) {
        if (src.configMapRef.optional) continue;
        throw new EnvError(`configmap "${src.configMapRef.name}" not found`);
      }
      for (const [k, v] of Object.entries(cm)) env[prefix + k] = v;
    }
    if (src.secretRef) {
      const s = inp.secret(src.secretRef.name);
      if (!s) {
        if (src.secretRef.optional) continue;
        throw new EnvError(`secret "${src.secretRef.name}" not found`);
      }
      for (const [k, v] of Object.entries(s)) env[prefix + k] = v;
    }
  }
  for (const v of inp.container.env ?? []) {
    if (v.valueFrom) {
      const f = v.valueFrom;
      if (f.fieldRef) env[v.name] = fieldRef(f.fieldRef.fieldPath, inp);
      else if (f.resourceFieldRef) env[v.name] = resourceField(f.resourceFieldRef, inp);
      else if (f.configMapKeyRef) {
        const cm = inp.configMap(f.configMapKeyRef.name);
        const val = cm?.[f.configMapKeyRef.key];
        if (val === undefined) {
          if (f.configMapKeyRef.optional) continue;
          throw new EnvError(cm ? `couldn't find key ${f.configMapKeyRef.key} in ConfigMap ${inp.pod.metadata.namespace}/${f.configMapKeyRef.name}` : `configmap "${f.configMapKeyRef.name}" not found`);
        }
        env[v.name] = val;
      } else if (f.secretKeyRef) {
        const s = inp.secret(f.secretKeyRef.name);
        const val = s?.[f.secretKeyRef.key];
        if (val === undefined) {
          if (f.secretKeyRef.optional) continue;
          throw new EnvError(s ? `couldn't find key ${f.secretKeyRef.key} in Secret ${inp.pod.metadata.namespace}/${f.secretKeyRef.name}` : `secret "${f.secretKeyRef.name}" not found`);
        }
        env[v.name] = val;
      }
    } else {
      env[v.name] = expand(v.value ?? '', env);
    }
  }
  return env;
}

/** `command` and `args` with $(VAR) expanded against the container's environment. */
export function expandCommand(list: ReadonlyArray<string> | undefined, env: Readonly<Record<string, string>>): string[] | undefined {
  return list?.map((s) => expand(s, env));
}

export interface ServiceForEnv {
  readonly name: string;
  readonly clusterIP?: string;
  readonly ports: ReadonlyArray<{ readonly name?: string; readonly port: number; readonly protocol?: string }>;
}

/** Docker-links-style variables for every Service with a ClusterIP, as the kubelet writes them. */
export function serviceLinkEnv(services: ReadonlyArray<ServiceForEnv>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const s of services) {
    if (!s.clusterIP || s.clusterIP === 'None' || s.ports.length === 0) continue;
    const n = s.name.toUpperCase().replace(/-/g, '_');
    const first = s.ports[0]!;
    env[`${n}_SERVICE_HOST`] = s.clusterIP;
    env[`${n}_SERVICE_PORT`] = String(first.port);
    for (const p of s.ports) if (p.name) env[`${n}_SERVICE_PORT_${p.name.toUpperCase().replace(/-/g, '_')}`] = String(p.port);
    const proto = (first.protocol ?? 'TCP').toLowerCase();
    env[`${n}_PORT`] = `${proto}://${s.clusterIP}:${first.port}`;
    for (const p of s.ports) {
      const pr = (p.protocol ?? 'TCP').toUpperCase();
      const base = `${n}_PORT_${p.port}_${pr}`;
      env[base] = `${pr.toLowerCase()}://${s.clusterIP}:${p.port}`;
      env[`${base}_PROTO`] = pr.toLowerCase();
      env[`${base}_PORT`] = String(p.port);
      env[`${base}_ADDR`] = s.clusterIP;
    }
  }
  return env;
}
