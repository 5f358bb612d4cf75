/**
 * @module api/validation/config
 * ConfigMap, Secret and ServiceAccount validation: data keys, the 1 MiB size
 * limit, Secret type requirements and the `immutable` flag on update.
 * Secret `data` values are base64 as on the wire; sizes count decoded bytes.
 */

import { type FieldError, FieldPath, forbidden, invalid, required, tooLong } from '../field-errors.js';
import { byteLen, isConfigMapKey, nameIsDNSSubdomain } from './formats.js';
import { validateImmutable, validateObjectMeta, validateObjectMetaUpdate } from './metadata.js';
import { type Obj, getObj, getOptBool, getStr, getStrMap, semanticEqual } from './unstructured.js';

export const MAX_SECRET_SIZE = 1024 * 1024;
const META = { nameFn: nameIsDNSSubdomain, namespaced: true };

function base64Len(v: string): number {
  return Buffer.from(v, 'base64').length;
}

/** `ValidateConfigMap`. */
export function validateConfigMap(cm: Obj): FieldError[] {
  const errs = validateObjectMeta(getObj(cm, 'metadata'), META);
  const data = getStrMap(cm, 'data') ?? {};
  const binary = getStrMap(cm, 'binaryData') ?? {};
  let total = 0;
  for (const [k, v] of Object.entries(data)) {
    for (const m of isConfigMapKey(k)) errs.push(invalid(FieldPath.of('data').key(k), k, m));
    if (Object.prototype.hasOwnProperty.call(binary, k)) errs.push(invalid(FieldPath.of('data').key(k), k, 'duplicate of key present in binaryData'));
    total += byteLen(v);
  }
  for (const [k, v] of Object.entries(binary)) {
    for (const m of isConfigMapKey(k)) errs.push(invalid(FieldPath.of('binaryData').key(k), k, m));
    total += base64Len(v);
  }
  if (total > MAX_SECRET_SIZE) errs.push(tooLong(FieldPath.of(''), MAX_SECRET_SIZE));
  return errs;
}

function immutableDataErrors(obj: Obj, old: Obj, fields: ReadonlyArray<string>): FieldError[] {
  if (getOptBool(old, 'immutable') !== true) return [];
  const errs: FieldError[] = [];
  if (getOptBool(obj, 'immutable') !== true) errs.push(forbidden(FieldPath.of('immutable'), 'field is immutable when `immutable` is set'));
  for (const f of fields) if (!semanticEqual(obj[f], old[f])) errs.push(forbidden(FieldPath.of(f), 'field is immutable when `immutable` is set'));
  return errs;
}

export function validateConfigMapUpdate(cm: Obj, old: Obj): FieldError[] {
  return [
    ...validateObjectMetaUpdate(getObj(cm, 'metadata'), getObj(old, 'metadata')),
    ...immutableDataErrors(cm, old, ['data', 'binaryData']),
    ...validateConfigMap(cm),
  ];
}

/** `ValidateSecret`. */
export function validateSecret(s: Obj): FieldError[] {
  const errs = validateObjectMeta(getObj(s, 'metadata'), META);
  const dataPath = FieldPath.of('data');
  const data = getStrMap(s, 'data') ?? {};
  let total = 0;
  for (const [k, v] of Object.entries(data)) {
    for (const m of isConfigMapKey(k)) errs.push(invalid(dataPath.key(k), k, m));
    total += base64Len(v);
  }
  if (total > MAX_SECRET_SIZE) errs.push(tooLong(dataPath, MAX_SECRET_SIZE));
  const has = (k: string): boolean => Object.prototype.hasOwnProperty.call(data, k);
  const json = (k: string): void => {
    if (!has(k)) {
      errs.push(required(dataPath.key(k)));
      return;
    }
    try {
      const parsed: unknown = JSON.parse(Buffer.from(data[k] ?? '', 'base64').toString('utf8'));
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('json: cannot unmarshal into Go value of type map[string]interface {}');
    } catch (e) {
      errs.push(invalid(dataPath.key(k), '<secret contents redacted>', e instanceof Error ? e.message : String(e)));
    }
  };
  switch (getStr(s, 'type')) {
    case 'kubernetes.io/service-account-token':
      if ((getStrMap(getObj(s, 'metadata'), 'annotations') ?? {})['kubernetes.io/service-account.name'] === undefined)
        errs.push(required(FieldPath.of('metadata', 'annotations').key('kubernetes.io/service-account.name')));
      break;
    case 'kubernetes.io/dockercfg':
      json('.dockercfg');
      break;
    case 'kubernetes.io/dockerconfigjson':
      json('.dockerconfigjson');
      break;
    case 'kubernetes.io/basic-auth':
      if (!has('username') && !has('password')) errs.push(required(dataPath.key('username')), required(dataPath.key('password')));
      break;
    case 'kubernetes.io/ssh-auth':
      if ((data['ssh-privatekey'] ?? '').length === 0) errs.push(required(dataPath.key('ssh-privatekey')));
      break;
    case 'kubernetes.io/tls':
      if (!has('tls.crt')) errs.push(required(dataPath.key('tls.crt')));
      if (!has('tls.key')) errs.push(required(dataPath.key('tls.key')));
      break;
    default:
      break;
  }
  return errs;
}

/** `ValidateSecretUpdate`: type immutable, plus the `immutable` flag. */
export function validateSecretUpdate(s: Obj, old: Obj): FieldError[] {
  const errs = validateObjectMetaUpdate(getObj(s, 'metadata'), getObj(old, 'metadata'));
  const t = getStr(s, 'type');
  errs.push(...validateImmutable(t, getStr(old, 'type'), FieldPath.of('type'), t));
  errs.push(...immutableDataErrors(s, old, ['data']));
  errs.push(...validateSecret(s));
  return errs;
}

/** `ValidateServiceAccount`: metadata only. */
export function validateServiceAccount(sa: Obj): FieldError[] {
  return validateObjectMeta(getObj(sa, 'metadata'), META);
}

export function validateServiceAccountUpdate(sa: Obj, old: Obj): FieldError[] {
  return [...validateObjectMetaUpdate(getObj(sa, 'metadata'), getObj(old, 'metadata')), ...validateServiceAccount(sa)];
}
