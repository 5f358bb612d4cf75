/**
 * @module apiserver/streams/params
 * Query parameters of pods/{exec,attach,log} as kube-apiserver reads them
 * (PodExecOptions, PodAttachOptions, PodLogOptions) and its validation errors.
 */
import { errors } from '../../errors.js';
import { boolParam } from '../http-util.js';

export interface StreamOptions {
  readonly container: string | undefined;
  readonly command: ReadonlyArray<string>;
  readonly stdin: boolean;
  readonly stdout: boolean;
  readonly stderr: boolean;
  readonly tty: boolean;
}

/** PodExecOptions / PodAttachOptions. With tty, stderr is dropped (kubelet NewOptions). */
export function parseStreamOptions(kind: 'exec' | 'attach', q: URLSearchParams): StreamOptions {
  const tty = boolParam(q, 'tty');
  const stdin = boolParam(q, 'stdin');
  const stdout = boolParam(q, 'stdout');
  const stderr = boolParam(q, 'stderr') && !tty;
  const command = kind === 'exec' ? q.getAll('command') : [];
  if (kind === 'exec' && command.length === 0) throw errors.badRequest('you must specify at least one command for the container');
  if (!stdin && !stdout && !stderr) throw errors.badRequest('you must specify at least 1 of stdin, stdout, stderr');
  return { container: q.get('container') ?? undefined, command, stdin, stdout, stderr, tty };
}

export interface LogOptions {
  readonly container: string | undefined;
  readonly follow: boolean;
  readonly previous: boolean;
  readonly timestamps: boolean;
  readonly tailLines?: number;
  readonly limitBytes?: number;
  readonly sinceSeconds?: number;
  readonly sinceTime?: Date;
}

function intParam(q: URLSearchParams, name: string): number | undefined {
  const v = q.get(name);
  if (v === null || v === '') return undefined;
  if (!/^[+-]?\d+$/.test(v.trim())) throw errors.badRequest(`strconv.ParseInt: parsing ${JSON.stringify(v)}: invalid syntax`);
  return Number(v.trim());
}

/** PodLogOptions plus ValidatePodLogOptions (422 Invalid, kind PodLogOptions). */
export function parseLogOptions(podName: string, q: URLSearchParams): LogOptions {
  const tailLines = intParam(q, 'tailLines');
  const limitBytes = intParam(q, 'limitBytes');
  const sinceSeconds = intParam(q, 'sinceSeconds');
  const sinceRaw = q.get('sinceTime');
  let sinceTime: Date | undefined;
  if (sinceRaw) {
    const t = new Date(sinceRaw);
    if (Number.isNaN(t.getTime())) throw errors.badRequest(`parsing time ${JSON.stringify(sinceRaw)} as "2006-01-02T15:04:05Z07:00": cannot parse`);
    sinceTime = t;
  }
  const causes: Array<{ reason: string; message: string; field: string }> = [];
  if (tailLines !== undefined && tailLines < 0) causes.push({ reason: 'FieldValueInvalid', message: `Invalid value: ${tailLines}: must be greater than or equal to 0`, field: 'tailLines' });
  if (limitBytes !== undefined && limitBytes < 1) causes.push({ reason: 'FieldValueInvalid', message: `Invalid value: ${limitBytes}: must be greater than 0`, field: 'limitBytes' });
  if (sinceSeconds !== undefined && sinceTime !== undefined) {
    causes.push({ reason: 'FieldValueForbidden', message: 'Forbidden: at most one of `sinceTime` or `sinceSeconds` may be specified', field: '' });
  } else if (sinceSeconds !== undefined && sinceSeconds < 1) {
    causes.push({ reason: 'FieldValueInvalid', message: `Invalid value: ${sinceSeconds}: must be greater than 0`, field: 'sinceSeconds' });
  }
  if (causes.length > 0) {
    const parts = causes.map((c) => `${c.field}: ${c.message}`);
    const list = parts.length === 1 ? parts[0]! : `[${parts.join(', ')}]`;
    throw errors.invalid('', 'PodLogOptions', podName, `PodLogOptions ${JSON.stringify(podName)} is invalid: ${list}`, causes);
  }
  return {
    container: q.get('container') ?? undefined,
    follow: boolParam(q, 'follow'),
    previous: boolParam(q, 'previous'),
    timestamps: boolParam(q, 'timestamps'),
    tailLines,
    limitBytes,
    sinceSeconds,
    sinceTime,
  };
}
