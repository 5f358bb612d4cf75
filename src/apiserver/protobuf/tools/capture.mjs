#!/usr/bin/env node
/**
 * @module capture
 *
 * Dev tool (not part of the build or the tests): runs a real kubectl against capture-server.mjs
 * (127.0.0.1 only) and writes the bodies it POSTs for `kubectl create ...` to
 * test/fixtures/protobuf/OUT (default kubectl-create.generated.ts): protobuf bodies (1.32+) as hex,
 * JSON bodies (<= 1.31) as parsed objects, plus the request line.
 *
 *   node src/apiserver/protobuf/tools/capture.mjs [kubectl binary] [OUT]
 *   (default binary: kubectl.1.33 from the Cloud SDK dir; the 1.31 JSON oracle was made with
 *    `... capture.mjs /usr/lib/google-cloud-sdk/bin/kubectl.1.31 kubectl-create-json.generated.ts`)
 *
 * Uses a throwaway KUBECONFIG and --cache-dir under a fresh /tmp directory; the user's config is never read.
 */
import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '../../../..');
const kubectl = process.argv[2] ?? '/usr/lib/google-cloud-sdk/bin/kubectl.1.33';
const outName = process.argv[3] ?? 'kubectl-create.generated.ts';
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kwire-capture-'));
const logFile = path.join(tmp, 'requests.jsonl');

/** [fixture name, kubectl args] — the order is the order of the fixtures file. */
const COMMANDS = [
  ['namespace', ['create', 'namespace', 'networking-lab']],
  ['deployment', ['create', 'deployment', 'web', '--image=nginx:1.27', '--replicas=2', '--port=80', '-n', 'ns']],
  ['serviceClusterIP', ['create', 'service', 'clusterip', 's', '--tcp=80:8080', '-n', 'ns']],
  ['serviceNodePort', ['create', 'service', 'nodeport', 'np', '--tcp=80:8080', '--node-port=30080', '-n', 'ns']],
  ['serviceLoadBalancer', ['create', 'service', 'loadbalancer', 'lb', '--tcp=443:8443', '--tcp=80', '-n', 'ns']],
  ['serviceExternalName', ['create', 'service', 'externalname', 'ext', '--external-name=example.com', '-n', 'ns']],
  ['configmap', ['create', 'configmap', 'c', '--from-literal=a=b']],
  ['secretGeneric', ['create', 'secret', 'generic', 's', '--from-literal=a=b']],
  ['secretDockerRegistry', ['create', 'secret', 'docker-registry', 'reg', '--docker-server=registry.example.com', '--docker-username=u', '--docker-password=p', '--docker-email=u@example.com']],
  ['ingress', ['create', 'ingress', 'i', '--rule=foo.com/bar*=svc1:8080']],
  ['ingressFull', ['create', 'ingress', 'i2', '--class=nginx', '--rule=foo.com/=svc:http,tls=my-cert', '--rule=bar.com/admin*=svcadmin:8080', '--default-backend=defsvc:80', '--annotation=a=b', '-n', 'ns']],
  ['serviceAccount', ['create', 'serviceaccount', 'sa']],
  ['job', ['create', 'job', 'j', '--image=busybox', '--', 'echo', 'hi']],
  ['cronjob', ['create', 'cronjob', 'cj', '--image=busybox', '--schedule=*/1 * * * *', '--', 'date']],
  ['role', ['create', 'role', 'r', '--verb=get,list', '--resource=pods']],
  ['clusterRole', ['create', 'clusterrole', 'cr', '--verb=get', '--resource=nodes']],
  ['roleBinding', ['create', 'rolebinding', 'rb', '--role=r', '--serviceaccount=default:sa']],
  ['clusterRoleBinding', ['create', 'clusterrolebinding', 'crb', '--clusterrole=cr', '--user=alice']],
  ['podDisruptionBudget', ['create', 'poddisruptionbudget', 'pdb', '--selector=app=web', '--min-available=1']],
  ['priorityClass', ['create', 'priorityclass', 'high', '--value=1000', '--description=high']],
  ['quota', ['create', 'quota', 'q', '--hard=pods=10,cpu=2,memory=1Gi']],
  ['token', ['create', 'token', 'sa']],
];

const server = spawn(process.execPath, ['--import', 'tsx', path.join(here, 'capture-server.mjs'), logFile], { cwd: repo, stdio: ['ignore', 'pipe', 'inherit'] });
const port = await new Promise((resolve, reject) => {
  server.stdout.on('data', (d) => { const m = /listening 127\.0\.0\.1:(\d+)/.exec(String(d)); if (m) resolve(Number(m[1])); });
  server.on('exit', (c) => reject(new Error(`capture server exited ${c}`)));
});
const kubeconfig = path.join(tmp, 'kubeconfig');
fs.writeFileSync(kubeconfig, `apiVersion: v1
kind: Config
clusters: [{name: capture, cluster: {server: "http://127.0.0.1:${port}"}}]
users: [{name: capture, user: {token: capture}}]
contexts: [{name: capture, context: {cluster: capture, user: capture, namespace: default}}]
current-context: capture
`);
const results = [];
try {
  for (const [name, args] of COMMANDS) {
    const before = fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8').split('\n').filter(Boolean).length : 0;
    let out;
    try {
      out = execFileSync(kubectl, [`--cache-dir=${path.join(tmp, "cache")}`, ...args], { env: { PATH: process.env.PATH, HOME: tmp, KUBECONFIG: kubeconfig }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (e) { console.error(`kubectl ${args.join(' ')} failed:`, e.stderr || e.message); continue; }
    const lines = fs.readFileSync(logFile, 'utf8').split('\n').filter(Boolean).slice(before).map((l) => JSON.parse(l));
    const post = lines.find((l) => l.method === 'POST');
    if (!post) { console.error(`no POST for ${name}`); continue; }
    const isJson = (post.headers['content-type'] ?? '').startsWith('application/json');
    results.push({ name, command: `kubectl ${args.join(' ')}`, url: post.url, contentType: post.headers['content-type'], userAgent: post.headers['user-agent'], printed: out.trim(),
      ...(isJson ? { json: JSON.parse(Buffer.from(post.bodyHex, 'hex').toString('utf8')) } : { hex: post.bodyHex }) });
    console.error(`${name}: ${post.headers['content-type']} ${post.bodyHex.length / 2} bytes -> ${out.trim()}`);
  }
} finally { server.kill(); }
const version = execFileSync(kubectl, ['version', '--client', '-o', 'json'], { encoding: 'utf8', env: { PATH: process.env.PATH, HOME: tmp } });
const gitVersion = JSON.parse(version).clientVersion.gitVersion;
let ts = `/**
 * @module test/fixtures/protobuf/kubectl-create.generated
 *
 * GENERATED by src/apiserver/protobuf/tools/capture.mjs - do not edit by hand.
 * Real request bodies POSTed by kubectl ${gitVersion} (${path.basename(kubectl)}) for \`kubectl create ...\`,
 * captured with a logging mock API server on 127.0.0.1. \`hex\` is a whole protobuf body, magic
 * included; \`json\` is a JSON body as parsed.
 */

export interface CapturedCreate {
  readonly command: string;
  readonly url: string;
  readonly contentType: string;
  readonly userAgent: string;
  /** what kubectl printed once the mock answered 201 with the decoded object */
  readonly printed: string;
  readonly hex?: string;
  readonly json?: Record<string, unknown>;
}

export const KUBECTL_VERSION = ${JSON.stringify(gitVersion)};

export const CAPTURED: Readonly<Record<string, CapturedCreate>> = {\n`;
for (const r of results) {
  ts += `  ${r.name}: {\n    command: ${JSON.stringify(r.command)},\n    url: ${JSON.stringify(r.url)},\n    contentType: ${JSON.stringify(r.contentType)},\n    userAgent: ${JSON.stringify(r.userAgent)},\n    printed: ${JSON.stringify(r.printed)},\n`;
  if (r.json) ts += `    json: ${JSON.stringify(r.json)},\n`;
  else {
    ts += '    hex:\n';
    for (let i = 0; i < r.hex.length; i += 96) ts += `      ${JSON.stringify(r.hex.slice(i, i + 96))}${i + 96 < r.hex.length ? ' +' : ','}\n`;
  }
  ts += '  },\n';
}
ts += '};\n';
const outDir = path.join(repo, 'test/fixtures/protobuf');
fs.mkdirSync(outDir, { recursive: true });
fs.writeFileSync(path.join(outDir, outName), ts);
console.error(`wrote ${results.length} fixtures; temp dir ${tmp}`);
