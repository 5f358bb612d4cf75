/**
 * @module policy/errors
 * The policy engine's error catalogue: each error has a stable `code` and the
 * HTTP status an API layer should answer with. Errors are for caller mistakes
 * (unknown pod, bad IP, bad port); policy content problems are never thrown:
 * they are compiled to "matches nothing" and surfaced by `explain`.
 * (Meant to fold into the project-wide `src/errors.ts` once it exists.)
 */

export type PolicyErrorCode =
  | 'POLICY_UNKNOWN_POD'
  | 'POLICY_INVALID_IP'
  | 'POLICY_INVALID_PORT'
  | 'POLICY_INVALID_PROTOCOL'
  | 'POLICY_INVALID_INPUT';

const STATUS: Readonly<Record<PolicyErrorCode, number>> = {
  POLICY_UNKNOWN_POD: 404,
  POLICY_INVALID_IP: 400,
  POLICY_INVALID_PORT: 400,
  POLICY_INVALID_PROTOCOL: 400,
  POLICY_INVALID_INPUT: 400,
};

export class PolicyError extends Error {
  readonly code: PolicyErrorCode;
  readonly status: number;
  constructor(code: PolicyErrorCode, message: string) {
    super(message);
    this.name = 'PolicyError';
    this.code = code;
    this.status = STATUS[code];
  }
}
