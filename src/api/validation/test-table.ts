/**
 * @module api/validation/test-table
 * Shared by the table-driven validation tests: runs one row (defaults, then
 * create or update validation) and compares the formatted messages, plus the
 * upstream message texts the rows quote. Not used at run time.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applyDefaults } from '../defaults/index.js';
import { formatFieldError } from '../field-errors.js';
import { type ValidationContext, validateCreate, validateUpdate } from './index.js';

type Obj = Record<string, unknown>;

/** One table row: an object (and optionally the stored one) and the exact messages expected. */
export interface Row {
  readonly name: string;
  readonly obj: Obj;
  readonly old?: Obj;
  readonly want: ReadonlyArray<string>;
  /** Skip defaulting (to reach rules defaulting would otherwise satisfy). */
  readonly raw?: boolean;
  readonly ctx?: ValidationContext;
}

/** Formatted messages for `obj` as the API server would produce them. */
export function messages(groupKind: string, obj: Obj, old?: Obj, raw = false, ctx: ValidationContext = {}): string[] {
  const o = structuredClone(obj);
  if (!raw) applyDefaults(groupKind, o);
  if (old === undefined) return validateCreate(groupKind, o, ctx).map(formatFieldError);
  const prev = structuredClone(old);
  if (!raw) applyDefaults(groupKind, prev);
  return [...new Set(validateUpdate(groupKind, o, prev, ctx).map(formatFieldError))];
}

/** Registers one `node:test` per row. */
export function runTable(groupKind: string, rows: ReadonlyArray<Row>): void {
  for (const r of rows) {
    test(`${groupKind} ${r.old === undefined ? 'create' : 'update'}: ${r.name}`, () => {
      assert.deepEqual(messages(groupKind, r.obj, r.old, r.raw === true, r.ctx), r.want);
    });
  }
}

export const LABEL_MSG =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
export const SUBDOMAIN_MSG =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
export const DNS1035_MSG =
  "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";
export const QNAME_NAME_MSG =
  "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
export const LABEL_VALUE_MSG =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";
export const WILDCARD_MSG =
  "a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS subdomain, which must consist of lower case alphanumeric characters, '-' or '.' and end with an alphanumeric character (e.g. '*.example.com', regex used for validation is '\\*\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
export const PORT_RANGE = 'must be between 1 and 65535, inclusive';
