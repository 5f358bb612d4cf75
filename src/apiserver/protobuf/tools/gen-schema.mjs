#!/usr/bin/env node
/**
 * @module gen-schema
 *
 * Dev tool (not part of the build): regenerates ../schema.generated.ts from a real kubectl binary.
 *
 *   node src/apiserver/protobuf/tools/gen-schema.mjs /usr/lib/google-cloud-sdk/bin/kubectl.1.33
 *
 * Where the facts come from (both read out of the kubectl executable, nothing is downloaded):
 *  1. Message definitions: Go protobuf code registers every `k8s.io/.../generated.proto` as a gzipped
 *     FileDescriptorProto; we find those gzip streams in the binary and decode them with
 *     protobufjs/ext/descriptor. Field numbers, names, types and labels are therefore exactly the
 *     ones the client that produced the bytes was built with.
 *  2. JSON mapping: the Go struct tags (`json:"name,omitempty" protobuf:"bytes,1,opt,name=name"`)
 *     and the Go kind of every field (pointer or value) are read from the Go runtime type
 *     metadata (abi.StructType / abi.StructField, amd64 layout, Go >= 1.21) of the same binary.
 *     That tells us the JSON name, omitempty, `inline` embedding and whether zero values are
 *     meaningful (pointers) or must be dropped (value fields with omitempty).
 * Only messages reachable from ROOT_KINDS are emitted.
 */
import fs from 'node:fs';
import zlib from 'node:zlib';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const descriptor = require('protobufjs/ext/descriptor');

/** apiVersion, kind, proto package, message */
const ROOT_KINDS = [
  ['v1', 'Namespace', 'k8s.io.api.core.v1'],
  ['v1', 'ConfigMap', 'k8s.io.api.core.v1'],
  ['v1', 'Secret', 'k8s.io.api.core.v1'],
  ['v1', 'Service', 'k8s.io.api.core.v1'],
  ['v1', 'ServiceAccount', 'k8s.io.api.core.v1'],
  ['v1', 'Pod', 'k8s.io.api.core.v1'],
  ['v1', 'Endpoints', 'k8s.io.api.core.v1'],
  ['v1', 'Event', 'k8s.io.api.core.v1'],
  ['v1', 'Node', 'k8s.io.api.core.v1'],
  ['v1', 'ResourceQuota', 'k8s.io.api.core.v1'],
  ['apps/v1', 'Deployment', 'k8s.io.api.apps.v1'],
  ['apps/v1', 'ReplicaSet', 'k8s.io.api.apps.v1'],
  ['apps/v1', 'DaemonSet', 'k8s.io.api.apps.v1'],
  ['apps/v1', 'StatefulSet', 'k8s.io.api.apps.v1'],
  ['batch/v1', 'Job', 'k8s.io.api.batch.v1'],
  ['batch/v1', 'CronJob', 'k8s.io.api.batch.v1'],
  ['networking.k8s.io/v1', 'Ingress', 'k8s.io.api.networking.v1'],
  ['networking.k8s.io/v1', 'IngressClass', 'k8s.io.api.networking.v1'],
  ['networking.k8s.io/v1', 'NetworkPolicy', 'k8s.io.api.networking.v1'],
  ['discovery.k8s.io/v1', 'EndpointSlice', 'k8s.io.api.discovery.v1'],
  ['events.k8s.io/v1', 'Event', 'k8s.io.api.events.v1'],
  ['rbac.authorization.k8s.io/v1', 'Role', 'k8s.io.api.rbac.v1'],
  ['rbac.authorization.k8s.io/v1', 'ClusterRole', 'k8s.io.api.rbac.v1'],
  ['rbac.authorization.k8s.io/v1', 'RoleBinding', 'k8s.io.api.rbac.v1'],
  ['rbac.authorization.k8s.io/v1', 'ClusterRoleBinding', 'k8s.io.api.rbac.v1'],
  ['policy/v1', 'PodDisruptionBudget', 'k8s.io.api.policy.v1'],
  ['policy/v1', 'Eviction', 'k8s.io.api.policy.v1'],
  ['scheduling.k8s.io/v1', 'PriorityClass', 'k8s.io.api.scheduling.v1'],
  ['authentication.k8s.io/v1', 'TokenRequest', 'k8s.io.api.authentication.v1'],
  ['authentication.k8s.io/v1', 'SelfSubjectReview', 'k8s.io.api.authentication.v1'],
  ['authentication.k8s.io/v1beta1', 'SelfSubjectReview', 'k8s.io.api.authentication.v1beta1'],
];
/** Messages whose JSON form is custom (MarshalJSON in Go); their Go structs need no tags. */
const SPECIAL = new Set([
  'k8s.io.apimachinery.pkg.apis.meta.v1.Time',
  'k8s.io.apimachinery.pkg.apis.meta.v1.MicroTime',
  'k8s.io.apimachinery.pkg.apis.meta.v1.Duration',
  'k8s.io.apimachinery.pkg.apis.meta.v1.FieldsV1',
  'k8s.io.apimachinery.pkg.util.intstr.IntOrString',
  'k8s.io.apimachinery.pkg.api.resource.Quantity',
  'k8s.io.apimachinery.pkg.runtime.RawExtension',
  // `type ExtraValue []string`: a bare JSON list of strings (json-mapping.ts)
  'k8s.io.api.authentication.v1.ExtraValue',
  // the envelope: decoded field by field in code, not mapped to JSON
  'k8s.io.apimachinery.pkg.runtime.Unknown',
  'k8s.io.apimachinery.pkg.runtime.TypeMeta',
]);
/** Messages needed besides the kinds' closures. */
const EXTRA_MESSAGES = ['k8s.io.apimachinery.pkg.runtime.Unknown'];

const binPath = process.argv[2];
if (!binPath) { console.error('usage: gen-schema.mjs <kubectl binary> [out.ts]'); process.exit(2); }
const outPath = process.argv[3] ?? path.join(here, '..', 'schema.generated.ts');
const B = fs.readFileSync(binPath);

// ---------- 1. FileDescriptorProtos ----------
const files = {};
const gz = Buffer.from([0x1f, 0x8b, 0x08]);
for (let i = B.indexOf(gz); i >= 0; i = B.indexOf(gz, i + 1)) {
  let raw;
  try { raw = zlib.gunzipSync(B.subarray(i, i + 1_000_000), { finishFlush: zlib.constants.Z_SYNC_FLUSH }); } catch { continue; }
  const head = raw.toString('latin1', 0, 120);
  const m = /k8s\.io\/[a-z0-9/._-]*generated\.proto/.exec(head);
  if (!m || head.indexOf(m[0]) > 3) continue;
  const fd = descriptor.FileDescriptorProto.toObject(descriptor.FileDescriptorProto.decode(raw), { longs: Number, enums: String });
  files[fd.name] = fd;
}
const messages = new Map(); // full name (no leading dot) -> {pkg, goPackage, name, desc}
for (const fd of Object.values(files)) {
  const add = (prefix, mt) => {
    const full = `${prefix}.${mt.name}`;
    messages.set(full, { pkg: fd.package, goPackage: fd.options?.goPackage ?? '', name: mt.name, desc: mt, file: fd.name });
    for (const n of mt.nestedType ?? []) add(full, n);
  };
  for (const mt of fd.messageType ?? []) add(fd.package, mt);
}

// ---------- 2. Go struct metadata ----------
const shoff = Number(B.readBigUInt64LE(0x28)), shentsize = B.readUInt16LE(0x3a), shnum = B.readUInt16LE(0x3c), shstrndx = B.readUInt16LE(0x3e);
const secs = [];
for (let i = 0; i < shnum; i++) {
  const o = shoff + i * shentsize;
  secs.push({ nameOff: B.readUInt32LE(o), type: B.readUInt32LE(o + 4), addr: Number(B.readBigUInt64LE(o + 0x10)), off: Number(B.readBigUInt64LE(o + 0x18)), size: Number(B.readBigUInt64LE(o + 0x20)) });
}
for (const s of secs) { let e = secs[shstrndx].off + s.nameOff; let n = ''; while (B[e]) n += String.fromCharCode(B[e++]); s.name = n; }
const S = Object.fromEntries(secs.map((s) => [s.name, s]));
const loaded = secs.filter((s) => s.addr && s.type !== 8 /* NOBITS */);
const v2o = (va) => { for (const s of loaded) if (va >= s.addr && va < s.addr + s.size) return va - s.addr + s.off; return -1; };
const o2v = (off) => { for (const s of loaded) if (off >= s.off && off < s.off + s.size) return off - s.off + s.addr; return -1; };
const typesBase = S['.rodata'].addr; // moduledata.types == start of .rodata for Go ELF binaries
const u64 = (o) => Number(B.readBigUInt64LE(o));
function varint(o) { let v = 0, sh = 0, b; do { b = B[o++]; v |= (b & 0x7f) << sh; sh += 7; } while (b & 0x80); return [v, o]; }
function readName(va) {
  const o = v2o(va); if (o < 0) return null;
  const flags = B[o]; let [len, p] = varint(o + 1); const name = B.toString('latin1', p, p + len); p += len;
  let tag = ''; if (flags & 2) { const [tl, q] = varint(p); tag = B.toString('latin1', q, q + tl); }
  return { name, tag };
}
const kindOf = (rt) => { const o = v2o(rt); return o < 0 ? -1 : B[o + 23] & 0x1f; };
function typeName(rt) { const o = v2o(rt); const n = readName(typesBase + B.readInt32LE(o + 40)); if (!n) return '?'; return (B[o + 20] & 2) ? n.name.slice(1) : n.name; }
function pkgPathOfStruct(rt) { const o = v2o(rt); if (!(B[o + 20] & 1)) return ''; const pp = B.readInt32LE(o + 80); return pp ? (readName(typesBase + pp)?.name ?? '') : ''; }
// name records carrying a protobuf tag
const nameVAs = new Set();
const needle = Buffer.from(' protobuf:"'); const jsonNeedle = Buffer.from('json:"');
for (let i = B.indexOf(needle); i >= 0; i = B.indexOf(needle, i + 1)) {
  const js = B.lastIndexOf(jsonNeedle, i); if (js < 0 || i - js > 200) continue;
  for (const tlBytes of [1, 2]) {
    const tlPos = js - tlBytes;
    if (tlBytes === 1 && (B[tlPos] & 0x80)) continue; if (tlBytes === 2 && !(B[tlPos] & 0x80)) continue;
    for (let len = 1; len < 80; len++) { const p = tlPos - len - 2; if (B[p + 1] !== len || !(B[p] & 2) || (B[p] & 0xf0)) continue; const va = o2v(p); if (va > 0) nameVAs.add(va); break; }
  }
}
const arrayStarts = new Set();
for (const sn of ['.rodata', '.noptrdata', '.data']) {
  const s = S[sn];
  for (let o = s.off; o + 24 <= s.off + s.size; o += 8) {
    if (!nameVAs.has(u64(o))) continue;
    let p = o; while (u64(p + 16) !== 0 && p > s.off) p -= 24; // walk back to the field with offset 0
    arrayStarts.add(o2v(p));
  }
}
const goStructs = new Map(); // `${pkgPath}|${Name}` -> fields
{
  const s = S['.rodata'];
  for (let o = s.off; o + 16 <= s.off + s.size; o += 8) {
    const v = u64(o); if (!arrayStarts.has(v)) continue;
    const rt = o - 56; if ((B[rt + 23] & 0x1f) !== 25) continue;
    const len = u64(o + 8); if (len > 500 || u64(o + 16) !== len) continue;
    const rtva = o2v(rt); const tn = typeName(rtva); const pp = pkgPathOfStruct(rtva);
    const fields = [];
    for (let i = 0; i < len; i++) {
      const fo = v2o(v) + i * 24; const n = readName(u64(fo)); const t = u64(fo + 8); const k = kindOf(t);
      let elemKind = -1; if (k === 22 || k === 23) elemKind = kindOf(u64(v2o(t) + 48));
      fields.push({ go: n?.name ?? '', tag: n?.tag ?? '', kind: k, elemKind, type: typeName(t) });
    }
    goStructs.set(`${pp}|${tn.slice(tn.lastIndexOf('.') + 1)}`, fields);
  }
}
const tagValue = (tag, key) => { const m = new RegExp(`(?:^| )${key}:"([^"]*)"`).exec(tag); return m ? m[1] : null; };

// ---------- 3. closure from roots ----------
const scalar = { TYPE_STRING: 'string', TYPE_INT32: 'int32', TYPE_INT64: 'int64', TYPE_BOOL: 'bool', TYPE_BYTES: 'bytes', TYPE_DOUBLE: 'double', TYPE_FLOAT: 'float', TYPE_UINT32: 'uint32', TYPE_UINT64: 'uint64', TYPE_SINT32: 'sint32', TYPE_SINT64: 'sint64', TYPE_FIXED32: 'fixed32', TYPE_FIXED64: 'fixed64' };
const F_REPEATED = 1, F_MAP = 2, F_OMITEMPTY = 4, F_POINTER = 8, F_INLINE = 16;
const out = {}; const warnings = [];
const queue = [...EXTRA_MESSAGES, ...ROOT_KINDS.map(([, kind, pkg]) => `${pkg}.${kind}`)];
const seen = new Set();
while (queue.length) {
  const full = queue.shift(); if (seen.has(full)) continue; seen.add(full);
  const msg = messages.get(full); if (!msg) throw new Error(`message ${full} not found in binary descriptors`);
  if (msg.desc.options?.mapEntry) continue;
  const go = goStructs.get(`${msg.goPackage}|${msg.name}`);
  if (!go && !SPECIAL.has(full)) warnings.push(`no Go struct metadata for ${full}`);
  const byNum = new Map();
  for (const gf of go ?? []) { const pb = tagValue(gf.tag, 'protobuf'); if (!pb) continue; byNum.set(Number(pb.split(',')[1]), gf); }
  const fields = [];
  for (const f of [...msg.desc.field].sort((a, b) => a.number - b.number)) {
    let type, keyType, flags = 0;
    if (f.type === 'TYPE_MESSAGE') {
      const tn = f.typeName.slice(1); const tm = messages.get(tn);
      if (tm?.desc.options?.mapEntry) {
        const [k, v] = tm.desc.field; flags |= F_MAP; keyType = scalar[k.type];
        if (v.type === 'TYPE_MESSAGE') { type = v.typeName.slice(1); queue.push(type); } else type = scalar[v.type];
      } else { type = tn; queue.push(tn); }
    } else if (scalar[f.type]) type = scalar[f.type];
    else throw new Error(`unsupported field type ${f.type} in ${full}.${f.name}`);
    if (f.label === 'LABEL_REPEATED' && !(flags & F_MAP)) flags |= F_REPEATED;
    let json = f.name;
    const gf = SPECIAL.has(full) ? undefined : byNum.get(f.number);
    if (gf) {
      const jt = tagValue(gf.tag, 'json') ?? gf.go; const [jn, ...opts] = jt.split(',');
      if (opts.includes('omitempty')) flags |= F_OMITEMPTY;
      if (opts.includes('inline')) flags |= F_INLINE;
      json = opts.includes('inline') ? '' : (jn === '' ? gf.go : jn);
      if (jn === '-') { warnings.push(`json:"-" field ${full}.${f.name} skipped`); continue; }
      if (gf.kind === 22) flags |= F_POINTER;
      // []byte is the proto 'bytes' scalar, not a repeated field
    } else if (go && !SPECIAL.has(full)) warnings.push(`no Go field for ${full}.${f.name} (#${f.number}); using proto name, omitempty`);
    if (!gf) flags |= F_OMITEMPTY;
    fields.push(keyType ? [f.number, f.name, json, type, flags, keyType] : [f.number, f.name, json, type, flags]);
  }
  out[full] = fields;
}
const sortedNames = Object.keys(out).sort();
const version = /kubectl\.(\d+\.\d+)/.exec(binPath)?.[1] ?? 'unknown';
const gitVersion = /v1\.\d+\.\d+(?:-[a-z0-9.]+)?/.exec(B.toString('latin1', S['.go.buildinfo'].off, S['.go.buildinfo'].off + S['.go.buildinfo'].size))?.[0];
let ts = `/**
 * @module apiserver/protobuf/schema.generated
 *
 * GENERATED by tools/gen-schema.mjs - do not edit by hand.
 *
 * Kubernetes protobuf message definitions, trimmed to the messages reachable from the kinds in
 * KIND_MESSAGES. Source: the FileDescriptorProtos and Go struct tags compiled into the kubectl ${version}
 * client binary (${path.basename(binPath)}${gitVersion ? `, ${gitVersion}` : ''}), i.e. k8s.io/api and
 * k8s.io/apimachinery generated.proto of that release. Field numbers are exact; field order is by number.
 *
 * Field tuple: [number, protoName, jsonName ('' = inlined), type, flags, mapKeyType?]
 * type: a proto scalar name or a message full name (no leading dot).
 * flags: 1 repeated, 2 map, 4 json omitempty, 8 Go pointer (zero values are meaningful), 16 json inline.
 */

export type FieldTuple = readonly [number, string, string, string, number] | readonly [number, string, string, string, number, string];

export const FIELD_REPEATED = ${F_REPEATED};
export const FIELD_MAP = ${F_MAP};
export const FIELD_OMITEMPTY = ${F_OMITEMPTY};
export const FIELD_POINTER = ${F_POINTER};
export const FIELD_INLINE = ${F_INLINE};

export const SCHEMA_SOURCE = ${JSON.stringify(`kubectl ${version}${gitVersion ? ` (${gitVersion})` : ''} embedded descriptors`)};

/** apiVersion -> kind -> message full name */
export const KIND_MESSAGES: Readonly<Record<string, Readonly<Record<string, string>>>> = {\n`;
const byVersion = {};
for (const [av, kind, pkg] of ROOT_KINDS) (byVersion[av] ??= {})[kind] = `${pkg}.${kind}`;
for (const [av, kinds] of Object.entries(byVersion)) {
  ts += `  ${JSON.stringify(av)}: {\n`;
  for (const [k, m] of Object.entries(kinds)) ts += `    ${k}: ${JSON.stringify(m)},\n`;
  ts += '  },\n';
}
ts += `};\n\nexport const MESSAGES: Readonly<Record<string, readonly FieldTuple[]>> = {\n`;
for (const n of sortedNames) {
  ts += `  ${JSON.stringify(n)}: [\n`;
  for (const f of out[n]) ts += `    ${JSON.stringify(f)},\n`;
  ts += '  ],\n';
}
ts += '};\n';
fs.writeFileSync(outPath, ts);
for (const w of warnings) console.error('warning:', w);
console.error(`wrote ${outPath}: ${sortedNames.length} messages`);
