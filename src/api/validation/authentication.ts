/**
 * @module api/validation/authentication
 * The authentication.k8s.io/v1 TokenRequest as kube-apiserver reads it for
 * `POST /api/v1/namespaces/NS/serviceaccounts/NAME/token` (`kubectl create token`):
 *
 *   body ──readTokenRequest──► TokenRequestInput   (v1 defaulting: expirationSeconds 3600)
 *        ──validateTokenRequest──► FieldError[]    (pkg/apis/authentication/validation)
 *
 * and the messages of its checks: `spec.expirationSeconds: Invalid value: 300: may not
 * specify a duration less than 10 minutes`, `... larger than 2^32 seconds`, a body name or
 * namespace other than the URL's (`must match the service account name if specified`).
 * Pure: no registry, no I/O.
 */
import { type FieldError, FieldPath, invalid } from '../field-errors.js';
import { type Obj, asObj, getObj, isObj } from './unstructured.js';

/** kube's MinTokenAgeSec (10 minutes). */
export const MIN_TOKEN_AGE_SECONDS = 10 * 60;
/** kube's upper bound: 2^32 seconds. */
export const MAX_TOKEN_AGE_SECONDS = 2 ** 32;
/** SetDefaults_TokenRequestSpec: one hour. */
export const DEFAULT_TOKEN_EXPIRATION_SECONDS = 60 * 60;

export interface BoundObjectReference {
  readonly kind: string;
  readonly apiVersion: string;
  readonly name: string;
  readonly uid: string;
}

/** A TokenRequest after decoding and v1 defaulting. */
export interface TokenRequestInput {
  readonly name: string;
  readonly namespace: string;
  /** Empty: the API server's audiences. */
  readonly audiences: ReadonlyArray<string>;
  readonly expirationSeconds: number;
  readonly boundObjectRef?: BoundObjectReference;
}

/** A 400 of the decoder (kube's "cannot be handled as a TokenRequest"). */
export class TokenRequestDecodeError extends Error {}

function str(o: Obj | undefined, k: string, path: string): string {
  const v = o?.[k];
  if (v === undefined || v === null) return '';
  if (typeof v !== 'string') throw new TokenRequestDecodeError(`${path}: expected string, got ${typeof v}`);
  return v;
}

/**
 * Reads the body kubectl sends (`{"spec":{"audiences":null,"expirationSeconds":null,
 * "boundObjectRef":null}}`) and applies the v1 defaults. Throws TokenRequestDecodeError on
 * a field of the wrong type.
 */
export function readTokenRequest(body: Obj): TokenRequestInput {
  const md = getObj(body, 'metadata');
  const specRaw = body['spec'];
  if (specRaw !== undefined && specRaw !== null && !isObj(specRaw)) throw new TokenRequestDecodeError('spec: expected object');
  const spec = asObj(specRaw);
  const audRaw = spec?.['audiences'];
  let audiences: string[] = [];
  if (audRaw !== undefined && audRaw !== null) {
    if (!Array.isArray(audRaw) || !audRaw.every((a): a is string => typeof a === 'string')) throw new TokenRequestDecodeError('spec.audiences: expected an array of strings');
    audiences = [...audRaw];
  }
  const expRaw = spec?.['expirationSeconds'];
  let expirationSeconds = DEFAULT_TOKEN_EXPIRATION_SECONDS;
  if (expRaw !== undefined && expRaw !== null) {
    if (typeof expRaw !== 'number' || !Number.isInteger(expRaw)) throw new TokenRequestDecodeError('spec.expirationSeconds: expected an integer');
    expirationSeconds = expRaw;
  }
  const refRaw = spec?.['boundObjectRef'];
  let boundObjectRef: BoundObjectReference | undefined;
  if (refRaw !== undefined && refRaw !== null) {
    if (!isObj(refRaw)) throw new TokenRequestDecodeError('spec.boundObjectRef: expected object');
    const p = 'spec.boundObjectRef';
    boundObjectRef = { kind: str(refRaw, 'kind', `${p}.kind`), apiVersion: str(refRaw, 'apiVersion', `${p}.apiVersion`), name: str(refRaw, 'name', `${p}.name`), uid: str(refRaw, 'uid', `${p}.uid`) };
  }
  return {
    name: str(md, 'name', 'metadata.name'),
    namespace: str(md, 'namespace', 'metadata.namespace'),
    audiences,
    expirationSeconds,
    ...(boundObjectRef ? { boundObjectRef } : {}),
  };
}

/**
 * kube's TokenREST check that the body names the URL's ServiceAccount, if it names one.
 * These errors are reported as `TokenRequest.authentication.k8s.io "<url name>" is invalid`.
 */
export function validateTokenRequestTarget(req: TokenRequestInput, name: string, namespace: string): FieldError[] {
  if (req.name !== '' && req.name !== name) return [invalid(FieldPath.of('metadata').child('name'), req.name, 'must match the service account name if specified')];
  if (req.namespace !== '' && req.namespace !== namespace) return [invalid(FieldPath.of('metadata').child('namespace'), req.namespace, 'must match the service account namespace if specified')];
  return [];
}

/** `ValidateTokenRequest` (reported as `TokenRequest.authentication.k8s.io "" is invalid`). */
export function validateTokenRequest(req: Pick<TokenRequestInput, 'expirationSeconds'>): FieldError[] {
  const errs: FieldError[] = [];
  const path = FieldPath.of('spec').child('expirationSeconds');
  if (req.expirationSeconds < MIN_TOKEN_AGE_SECONDS) errs.push(invalid(path, req.expirationSeconds, 'may not specify a duration less than 10 minutes'));
  if (req.expirationSeconds > MAX_TOKEN_AGE_SECONDS) errs.push(invalid(path, req.expirationSeconds, 'may not specify a duration larger than 2^32 seconds'));
  return errs;
}
