/**
 * The web UI end to end, in headless Chromium (Debian `chromium`, installed by
 * scripts/ui-tools.sh when missing) driven by playwright-core: the lab loaded
 * into a cluster with the real kubectl, the page opened through the URL
 * `kwire up` prints, then each view checked against the cluster:
 *
 * - the page and its endpoints answer 401 without the token;
 * - the map shows the lab's namespaces, Deployments, pods, Services (with
 *   ClusterIP, NodePort, EXTERNAL-IP), the ingress rules and the node network;
 * - a `kubectl run … wget` that deny-all drops appears red, and clicking it
 *   names the deciding policy; two endpoints and a port explain on demand;
 * - the heat map, and a cell explained;
 * - "what if" with the lab's allow-frontend-to-backend.yaml predicts exactly
 *   what `kwire matrix` reports after Apply (a server-side apply through the
 *   API); `kwire whatif` says the same and exits 3, then 0;
 * - "what if" a policy were deleted: `kwire whatif --delete` and the page agree,
 *   the prediction shown follows the cluster, Delete goes through the API;
 * - a policy the API refuses is shown refused and never written;
 * - 200 pods: laid out, Deployments collapsed, one expanded on a click.
 *
 * Screenshots of each view go to test-output/ui-*.png (not committed).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { startTestCluster, type TestCluster } from '../../src/testing/test-cluster.js';
import { labFile, waitFor } from './lab-scenario.js';
import { matrixCommand, type CliIO } from '../../src/cli/policy-commands.js';
import { whatifCommand } from '../../src/cli/whatif-command.js';
import { uiCommand } from '../../src/cli/ui-command.js';

// ------------------------------------------------------------------ the browser (playwright-core over CDP)

const ROOT = fileURLToPath(new URL(import.meta.url.includes('/dist/') ? '../../../' : '../../', import.meta.url));
const OUT = join(ROOT, 'test-output');
const CHROMIUM = '/usr/bin/chromium';
const NS = 'networking-lab';

async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    const r = spawnSync('bash', [join(ROOT, 'scripts/ui-tools.sh')], { stdio: 'inherit' });
    assert.equal(r.status, 0, 'scripts/ui-tools.sh installs chromium');
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

// ------------------------------------------------------------------ the CLI against the test cluster

function cliIO(home: string): CliIO & { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return {
    stdout: (s) => void (out += s),
    stderr: (s) => void (err += s),
    env: { ...process.env, KWIRE_HOME: home, DISPLAY: '' },
    stdin: async () => '',
    out: () => out,
    err: () => err,
  };
}

interface Cell {
  from: string;
  to: string;
  state: string;
  change: string | null;
}

describe('the web UI in headless Chromium', { timeout: 600_000 }, () => {
  let c: TestCluster;
  let browser: Browser;
  let ctx: BrowserContext;
  let page: Page;
  const pageErrors: string[] = [];
  let home = '';
  const CLUSTER = 'data'; // KWIRE_HOME/data is the test cluster's folder (state.json and pki/)
  const ok = (args: string[], input?: string) => c.kubectlOk(args, { input, timeoutMs: 90_000 });
  const shot = (name: string) => page.screenshot({ path: join(OUT, `ui-${name}.png`) });
  const readyPods = (label: string, n: number, ns = NS) =>
    waitFor(
      `${n} ready ${label} pods`,
      async () => {
        const list = JSON.parse(await ok(['get', 'pods', '-n', ns, '-l', label, '-o', 'json'])) as { items: Array<{ metadata: { deletionTimestamp?: string }; status: { conditions?: Array<{ type: string; status: string }> } }> };
        const ready = list.items.filter((p) => !p.metadata.deletionTimestamp && p.status.conditions?.some((x) => x.type === 'Ready' && x.status === 'True'));
        return ready.length === n ? ready : undefined;
      },
      180_000,
    );

  before(async () => {
    mkdirSync(OUT, { recursive: true });
    home = mkdtempSync(join(tmpdir(), 'kwire-ui-'));
    c = await startTestCluster({ dir: home });
    writeFileSync(join(home, CLUSTER, 'state.json'), JSON.stringify({ pid: process.pid, startedAt: new Date().toISOString(), apiServer: c.cluster.url, listeners: [] }));
    // The lab, steps 1-9, with the real kubectl.
    await ok(['create', 'namespace', NS]);
    for (const f of ['backend-deployment.yaml', 'clusterip-service.yaml', 'nodeport-service.yaml', 'loadbalancer-service.yaml', 'frontend-deployment.yaml', 'ingress.yaml']) await ok(['apply', '-f', labFile(f)]);
    await readyPods('app=backend', 3);
    await readyPods('app=frontend', 2);
    await ok(['label', 'namespace', NS, 'environment=test']);
    await ok(['apply', '-f', labFile('deny-all-policy.yaml')]);
    await waitFor('the LoadBalancer EXTERNAL-IP', async () => ((await ok(['get', 'svc', 'backend-loadbalancer', '-n', NS, '-o', 'jsonpath={.status.loadBalancer.ingress[0].ip}'])).trim() || undefined));
    browser = await launchChromium();
    // bypassCSP: the test's own probes (waitForFunction) are evaluated strings, which the page's CSP forbids.
    ctx = await browser.newContext({ viewport: { width: 1600, height: 1000 }, bypassCSP: true });
    page = await ctx.newPage();
    page.on('pageerror', (e) => pageErrors.push(e.message));
  });

  after(async () => {
    await ctx?.close();
    await browser?.close();
    await c?.stop();
    rmSync(home, { recursive: true, force: true });
  });

  test('without the token: 401 for the page, its assets and its streams', async () => {
    const origin = new URL(c.cluster.ui.url).origin;
    for (const path of ['/', '/kwire/ui/', '/kwire/ui/app.js', '/kwire/ui/vendor/cytoscape.min.js', '/kwire/v1/watch', '/kwire/v1/flows?follow=true', '/?token=wrong']) {
      const r = await fetch(origin + path, { redirect: 'manual' });
      assert.equal(r.status, 401, path);
      const body = (await r.json()) as { kind: string; reason: string };
      assert.deepEqual([body.kind, body.reason], ['Status', 'Unauthorized'], path);
    }
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(origin + '/kwire/ui/', { headers: { Host: `evil.example:${new URL(origin).port}`, Authorization: `Bearer ${c.cluster.pki.token}` } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end();
    });
    assert.equal(status, 403, 'another Host name is refused (DNS rebinding)');
    const withToken = await fetch(origin + '/kwire/ui/', { headers: { Authorization: `Bearer ${c.cluster.pki.token}` } });
    assert.equal(withToken.status, 200);
    assert.match(withToken.headers.get('content-security-policy') ?? '', /default-src 'self'/);
  });

  test('kwire ui prints the URL with the token; the page shows the lab on the map', async () => {
    const io = cliIO(home);
    assert.equal(await uiCommand(['--print', '--name', CLUSTER], io), 0, io.err());
    const url = io.out().trim();
    assert.equal(url, c.cluster.ui.loginUrl);
    await page.goto(url);
    assert.equal(page.url(), c.cluster.ui.url, 'the token leaves the address bar');
    await page.waitForFunction('document.body.dataset.synced === "true" && Number(document.body.dataset.layouts || 0) >= 1', undefined, { timeout: 60_000 });
    await page.waitForFunction(`document.querySelector('#conn').textContent === 'live'`);
    const ids = (await page.evaluate('window.kwireUi.cy.nodes().map((n) => n.id())')) as string[];
    for (const id of [
      `ns:${NS}`,
      'ns:kube-system',
      'ns:ingress-nginx',
      `deploy:${NS}/backend`,
      `deploy:${NS}/frontend`,
      `svc:${NS}/backend-clusterip`,
      `svc:${NS}/backend-nodeport`,
      `svc:${NS}/backend-loadbalancer`,
      `svc:${NS}/frontend-service`,
      'ingctl',
      `rule:${NS}/app-ingress#frontend.local/`,
      `rule:${NS}/app-ingress#backend.local/`,
      'node:kwire-control-plane',
      'node:kwire-worker',
      'node:kwire-worker2',
      `lis:NodePort ${NS}/backend-nodeport`,
      `lis:LoadBalancer ${NS}/backend-loadbalancer`,
    ]) {
      assert.ok(ids.includes(id), `${id} is on the map`);
    }
    assert.equal(ids.filter((i) => i.startsWith(`pod:${NS}/backend-`)).length, 3);
    assert.equal(ids.filter((i) => i.startsWith(`pod:${NS}/frontend-`)).length, 2);
    const label = (await page.evaluate(`window.kwireUi.cy.getElementById('svc:${NS}/backend-nodeport').data('label')`)) as string;
    assert.match(label, /NodePort 10\.\d+\.\d+\.\d+\n80→8080 node:30080/);
    const lb = (await page.evaluate(`window.kwireUi.cy.getElementById('svc:${NS}/backend-loadbalancer').data('label')`)) as string;
    assert.match(lb, /EXTERNAL-IP 127\.\d+\.\d+\.\d+/);
    const edges = (await page.evaluate(`window.kwireUi.cy.edges().map((e) => e.id())`)) as string[];
    assert.equal(edges.filter((e) => e.startsWith(`e:svc:${NS}/backend-clusterip->pod:`)).length, 3, 'Service -> its three endpoints');
    assert.ok(edges.includes(`e:rule:${NS}/app-ingress#frontend.local/->svc:${NS}/frontend-service`), 'Ingress rule -> Service');
    // Laid out: no two pods on top of each other, everything inside the viewport after fit.
    const overlaps = (await page.evaluate(`(() => { const bb = window.kwireUi.cy.nodes('.pod, .service, .rule, .listener').map((n) => n.boundingBox()); let o = 0; for (let i = 0; i < bb.length; i++) for (let j = i + 1; j < bb.length; j++) { const a = bb[i], b = bb[j]; if (a.x1 < b.x2 && b.x1 < a.x2 && a.y1 < b.y2 && b.y1 < a.y2) o++; } return o; })()`)) as number;
    assert.equal(overlaps, 0, 'no overlapping nodes');
    await shot('map');
    // The watch stream: a new Service appears without a reload.
    await ok(['create', 'service', 'clusterip', 'late-svc', '--tcp=81:8080', '-n', NS]);
    await page.waitForFunction(`!window.kwireUi.cy.getElementById('svc:${NS}/late-svc').empty()`, undefined, { timeout: 20_000 });
    await ok(['delete', 'service', 'late-svc', '-n', NS]);
    await page.waitForFunction(`window.kwireUi.cy.getElementById('svc:${NS}/late-svc').empty()`, undefined, { timeout: 20_000 });
  });

  test('a dropped wget appears red; clicking it names the deciding policy', async () => {
    const ip = (await ok(['get', 'svc', 'backend-clusterip', '-n', NS, '-o', 'jsonpath={.spec.clusterIP}'])).trim();
    const r = await c.kubectl(['run', 'test-pod', '--image=busybox', '--rm', '-i', '--restart=Never', '-n', NS, '--', 'wget', '-qO-', `http://${ip}`, '--timeout=3'], { timeoutMs: 90_000 });
    assert.notEqual(r.code, 0, 'deny-all drops it');
    assert.match(r.stdout + r.stderr, /download timed out/);
    const sel = `#flow-list li[data-verdict="dropped"]`;
    await page.waitForFunction(`[...document.querySelectorAll('${sel}')].some((li) => li.textContent.includes('${NS}/test-pod') && li.textContent.includes(':8080/tcp'))`, undefined, { timeout: 20_000 });
    const flowId = (await page.evaluate(`[...document.querySelectorAll('${sel}')].find((li) => li.textContent.includes('${NS}/test-pod') && li.textContent.includes(':8080/tcp')).dataset.flowId`)) as string;
    const color = (await page.evaluate(`getComputedStyle(document.querySelector('${sel}[data-flow-id="${flowId}"]')).borderLeftColor`)) as string;
    assert.equal(color, 'rgb(217, 48, 37)', 'the row is red');
    // Red on the map: a dropped connection from a pod that stays, drawn while the screenshot is taken.
    const r2 = await c.kubectl(['exec', 'deployment/frontend', '-n', NS, '--', 'curl', '-s', '--max-time', '2', `http://${ip}`], { timeoutMs: 60_000 });
    assert.notEqual(r2.code, 0);
    await page.waitForFunction(`window.kwireUi.cy.edges('.flow.dropped').some((e) => e.source().id().startsWith('pod:${NS}/frontend-') && e.target().id().startsWith('pod:${NS}/backend-'))`, undefined, { timeout: 20_000 });
    const lineColor = (await page.evaluate(`window.kwireUi.cy.edges('.flow.dropped')[0].style('line-color')`)) as string;
    assert.equal(lineColor, 'rgb(217,48,37)');
    const drawnTestPod = (await page.evaluate(`window.kwireUi.drawn.filter((d) => d.id === ${flowId}).map((d) => d.verdict)`)) as string[];
    assert.ok(drawnTestPod.length === 0 || drawnTestPod[0] === 'dropped');
    await shot('flows');
    await page.click(`${sel}[data-flow-id="${flowId}"]`);
    await page.waitForSelector('#why-deciding', { timeout: 20_000 });
    assert.match((await page.textContent('#why-flow-policies')) ?? '', new RegExp(`deciding policies: ${NS}/deny-all`));
    assert.match((await page.textContent('#why-deciding')) ?? '', new RegExp(`Decided by\\s*${NS}/deny-all`));
    assert.match((await page.textContent('#why-service')) ?? '', new RegExp(`svc/${NS}/backend-clusterip ${ip.replace(/\./g, '\\.')}:80/TCP → targetPort 8080`));
    assert.match((await page.textContent('#why-body')) ?? '', /test-pod no longer running: explained with the labels it last had/);
    assert.match((await page.textContent('#why-body')) ?? '', /ingress of networking-lab\/backend-\S+selected by networking-lab\/deny-all/);
    await shot('why');
    // Two endpoints and a port, chosen by hand.
    const front = (await ok(['get', 'pods', '-n', NS, '-l', 'app=frontend', '-o', 'jsonpath={.items[0].metadata.name}'])).trim();
    await page.fill('#x-from', `${NS}/${front}`);
    await page.fill('#x-to', `svc/${NS}/backend-clusterip`);
    await page.fill('#x-port', '80');
    await page.click('#x-go');
    await page.waitForFunction(`(document.querySelector('#why-summary') || {}).textContent?.includes('${front}')`, undefined, { timeout: 20_000 });
    assert.match((await page.textContent('#why-summary')) ?? '', new RegExp(`DROPPED DROPPED: ${NS}/${front} -> svc/${NS}/backend-clusterip port 80/TCP \\(all 3 paths\\), by ${NS}/deny-all`));
  });

  test('who can reach whom: the heat map, a cell explained', async () => {
    await page.click('#tab-matrix');
    await page.fill('#mx-ports', '8080');
    await page.click('#mx-show');
    await page.waitForSelector('#mx-grids table.heat td[data-port="8080"]', { timeout: 20_000 });
    const cells = (await page.evaluate(`[...document.querySelectorAll('#mx-grids td')].map((td) => ({ from: td.dataset.from, to: td.dataset.to, state: td.dataset.state }))`)) as Cell[];
    assert.equal(cells.length, 25, '5 pods x 5 pods');
    for (const cell of cells) assert.equal(cell.state, cell.from === cell.to ? 'allowed' : 'dropped', `${cell.from} -> ${cell.to}`);
    const back = cells.find((x) => x.to.includes('/backend-') && x.from.includes('/frontend-'))!;
    await page.click(`#mx-grids td[data-from="${back.from}"][data-to="${back.to}"]`);
    await page.waitForFunction(`(document.querySelector('#why-summary') || {}).textContent?.includes('${back.from} -> ${back.to} port 8080/TCP')`, undefined, { timeout: 20_000 });
    await shot('matrix');
  });

  test('what if: the prediction for allow-frontend-to-backend.yaml is what kwire matrix reports after Apply', async () => {
    // A recent flow the policy will change: frontend -> backend, dropped now.
    const ip = (await ok(['get', 'svc', 'backend-clusterip', '-n', NS, '-o', 'jsonpath={.spec.clusterIP}'])).trim();
    const r = await c.kubectl(['exec', 'deployment/frontend', '-n', NS, '--', 'curl', '-s', '--max-time', '2', `http://${ip}`], { timeoutMs: 60_000 });
    assert.notEqual(r.code, 0);
    const yaml = readFileSync(labFile('allow-frontend-to-backend.yaml'), 'utf8');
    const io = cliIO(home);
    assert.equal(await whatifCommand(['-f', labFile('allow-frontend-to-backend.yaml'), '--namespaces', NS, '--ports', '8080', '--name', CLUSTER], io), 3, io.err());
    const cliOut = io.out();
    assert.equal(cliOut.split('\n').filter((l) => /^ {4}\+ networking-lab\/frontend-\S+ -> networking-lab\/backend-\S+: dropped -> allowed$/.test(l)).length, 6, cliOut);
    assert.match(cliOut, /^6 new allowances, 0 added denials, [1-9]\d* recent flows? would change verdict$/m);
    assert.match(cliOut, /DROPPED -> FORWARDED(?: \(x\d+\))? by networking-lab\/allow-dns-egress, networking-lab\/allow-frontend-to-backend\n {4}last: .*networking-lab\/frontend-\S+ .*-> networking-lab\/backend-\S+:8080 /);

    await page.click('#tab-whatif');
    await page.fill('#wi-text', yaml);
    await page.click('#wi-predict');
    await page.waitForSelector('#wi-summary', { timeout: 30_000 });
    assert.match((await page.textContent('#wi-summary')) ?? '', /6 new allowances, 0 added denials, [1-9]\d* recent flows? would change verdict/);
    assert.match((await page.textContent('#wi-flows')) ?? '', /networking-lab\/frontend-\S+ → networking-lab\/backend-\S+:8080\/tcp ×\d+: dropped → allowed/);
    const predicted = (await page.evaluate(`[...document.querySelectorAll('#wi-grids td[data-port="8080"]')].map((td) => ({ from: td.dataset.from, to: td.dataset.to, state: td.dataset.state, change: td.dataset.change ?? null }))`)) as Cell[];
    assert.equal(predicted.length, 25);
    assert.equal(predicted.filter((x) => x.change === 'new-allowance').length, 6);
    assert.equal(predicted.filter((x) => x.change === 'added-denial').length, 0);
    const green = (await page.evaluate(`getComputedStyle(document.querySelector('#wi-grids td[data-change="new-allowance"]')).backgroundColor`)) as string;
    assert.equal(green, 'rgb(31, 157, 85)', 'new allowances are green');
    await shot('whatif');

    await page.click('#wi-apply');
    await page.waitForFunction(`document.body.dataset.applied !== undefined`, undefined, { timeout: 30_000 });
    assert.equal(
      (await page.textContent('#wi-status')) ?? '',
      'networkpolicy.networking.k8s.io/allow-frontend-to-backend created, networkpolicy.networking.k8s.io/allow-ingress-to-frontend created, networkpolicy.networking.k8s.io/allow-dns-egress created',
    );
    const list = await ok(['get', 'networkpolicies', '-n', NS, '-o', 'jsonpath={.items[*].metadata.name}']);
    assert.deepEqual(list.trim().split(/\s+/).sort(), ['allow-dns-egress', 'allow-frontend-to-backend', 'allow-ingress-to-frontend', 'deny-all']);
    const managers = await ok(['get', 'networkpolicy', 'allow-frontend-to-backend', '-n', NS, '--show-managed-fields', '-o', 'jsonpath={.metadata.managedFields[*].manager}']);
    assert.equal(managers.trim(), 'kwire-ui', 'written by a server-side apply through the API');

    const mio = cliIO(home);
    assert.equal(await matrixCommand(['-n', NS, '--ports', '8080', '-o', 'json', '--name', CLUSTER], mio), 0, mio.err());
    const m = JSON.parse(mio.out()) as { froms: string[]; tos: string[]; tables: Array<{ port: number; allowed: boolean[][] }> };
    const actual = new Map<string, string>();
    m.froms.forEach((f, i) => m.tos.forEach((t, j) => actual.set(`${f}>${t}`, m.tables[0]!.allowed[i]![j] ? 'allowed' : 'dropped')));
    assert.equal(actual.size, predicted.length);
    for (const p of predicted) assert.equal(actual.get(`${p.from}>${p.to}`), p.state, `${p.from} -> ${p.to}: predicted ${p.state}`);
    // The policy is in place: nothing left to change.
    const again = cliIO(home);
    assert.equal(await whatifCommand(['-f', labFile('allow-frontend-to-backend.yaml'), '--namespaces', NS, '--ports', '8080', '--since', '1s', '--name', CLUSTER], again), 0, again.out() + again.err());
    // And the matrix view follows the watch stream: frontend -> backend is green now.
    await page.click('#tab-matrix');
    await page.waitForFunction(
      `[...document.querySelectorAll('#mx-grids td[data-port="8080"]')].filter((td) => td.dataset.from.includes('/frontend-') && td.dataset.to.includes('/backend-') && td.dataset.state === 'allowed').length === 6`,
      undefined,
      { timeout: 20_000 },
    );
  });

  test('what if a policy were deleted: the CLI and the page agree, the prediction follows the cluster, Delete goes through the API', async () => {
    const dio = cliIO(home);
    assert.equal(await whatifCommand(['--delete', 'allow-frontend-to-backend', '-n', NS, '--namespaces', NS, '--ports', '8080', '--name', CLUSTER], dio), 3, dio.err());
    const dout = dio.out();
    assert.match(dout, /^what if: networkpolicy networking-lab\/allow-frontend-to-backend \(delete\)$/m);
    assert.equal(dout.split('\n').filter((l) => /^ {4}- networking-lab\/frontend-\S+ -> networking-lab\/backend-\S+: allowed -> dropped$/.test(l)).length, 6, dout);
    assert.match(dout, /^0 new allowances, 6 added denials, /m);
    const missing = cliIO(home);
    assert.equal(await whatifCommand(['--delete', 'no-such-policy', '-n', NS, '--name', CLUSTER], missing), 1);
    assert.match(missing.err(), /networkpolicies.networking.k8s.io "no-such-policy" not found/);

    await page.click('#tab-whatif');
    await page.selectOption('#wi-existing', `${NS}/allow-frontend-to-backend`);
    const text = await page.inputValue('#wi-text');
    assert.equal((JSON.parse(text) as { metadata: { name: string } }).metadata.name, 'allow-frontend-to-backend', 'the policy in the cluster, as a manifest');
    await page.selectOption('#wi-action', 'delete');
    assert.equal(await page.textContent('#wi-apply'), 'Delete');
    const asked = Number((await page.evaluate('document.body.dataset.whatif')) ?? 0);
    await page.click('#wi-predict');
    await page.waitForFunction(`Number(document.body.dataset.whatif) > ${asked}`, undefined, { timeout: 30_000 });
    assert.match((await page.textContent('#wi-summary')) ?? '', /allow-frontend-to-backend \(delete\): 0 new allowances, 6 added denials/);
    const cells = (await page.evaluate(`[...document.querySelectorAll('#wi-grids td[data-change="added-denial"]')].map((td) => td.dataset.from + '>' + td.dataset.to)`)) as string[];
    assert.equal(cells.length, 6);
    for (const x of cells) assert.match(x, /\/frontend-.*>.*\/backend-/);

    // Another policy lets the frontend in anyway: the prediction shown follows, without asking again.
    const extra = join(home, 'backend-from-anywhere.yaml');
    writeFileSync(extra, `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: backend-from-anywhere, namespace: ${NS}}\nspec:\n  podSelector: {matchLabels: {app: backend}}\n  ingress: [{}]\n`);
    await ok(['apply', '-f', extra]);
    await page.waitForFunction(`/0 added denials/.test(document.querySelector('#wi-summary')?.textContent ?? '')`, undefined, { timeout: 20_000 });
    assert.match((await page.textContent('#wi-live')) ?? '', /refreshed as the cluster changed/);
    await ok(['delete', '-f', extra]);
    await page.waitForFunction(`/6 added denials/.test(document.querySelector('#wi-summary')?.textContent ?? '')`, undefined, { timeout: 20_000 });

    await page.click('#wi-apply');
    await page.waitForFunction(`(document.querySelector('#wi-status')?.textContent ?? '').includes('deleted')`, undefined, { timeout: 20_000 });
    assert.equal((await page.textContent('#wi-status')) ?? '', 'networkpolicy.networking.k8s.io "allow-frontend-to-backend" deleted');
    const gone = await c.kubectl(['get', 'networkpolicy', 'allow-frontend-to-backend', '-n', NS]);
    assert.notEqual(gone.code, 0);
    assert.match(gone.stderr, /not found/);
    const mio = cliIO(home);
    assert.equal(await matrixCommand(['-n', NS, '--ports', '8080', '-o', 'json', '--name', CLUSTER], mio), 0, mio.err());
    const m = JSON.parse(mio.out()) as { froms: string[]; tos: string[]; tables: Array<{ allowed: boolean[][] }> };
    const fb = m.froms.flatMap((f, i) => m.tos.map((t, j) => ({ f, t, a: m.tables[0]!.allowed[i]![j] }))).filter((x) => x.f.includes('/frontend-') && x.t.includes('/backend-'));
    assert.equal(fb.length, 6);
    assert.ok(fb.every((x) => !x.a), 'what the page predicted: frontend -> backend dropped again');
    await ok(['apply', '-f', labFile('allow-frontend-to-backend.yaml')]);
    await page.selectOption('#wi-action', 'apply');
  });

  test('a policy the API refuses is shown refused and never written', async () => {
    await page.click('#tab-whatif');
    const bad = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: bad-port
  namespace: ${NS}
spec:
  podSelector: {}
  ingress:
  - ports:
    - port: 70000
`;
    await page.fill('#wi-text', bad);
    await page.click('#wi-predict');
    await page.waitForSelector('#wi-error', { timeout: 20_000 });
    assert.match((await page.textContent('#wi-error')) ?? '', /NetworkPolicy.networking.k8s.io "bad-port" is invalid: spec.ingress\[0\].ports\[0\].port: Invalid value: 70000/);
    assert.equal(await page.evaluate(`document.querySelector('#wi-apply').disabled`), true);
    const get = await c.kubectl(['get', 'networkpolicy', 'bad-port', '-n', NS]);
    assert.notEqual(get.code, 0);
    assert.match(get.stderr, /not found/);
    assert.deepEqual(pageErrors, [], 'no script errors on the page');
  });

  test('200 pods: laid out with Deployments collapsed, one opened on a click', { timeout: 400_000 }, async () => {
    await ok(['create', 'namespace', 'scale']);
    const manifests: string[] = [];
    for (let i = 0; i < 8; i++) {
      manifests.push(`apiVersion: apps/v1
kind: Deployment
metadata: {name: web-${i}, namespace: scale}
spec:
  replicas: 25
  selector: {matchLabels: {app: web-${i}}}
  template:
    metadata: {labels: {app: web-${i}}}
    spec:
      containers:
      - name: echo
        image: hashicorp/http-echo
        args: ["-text=web-${i}", "-listen=:8080"]
        ports: [{containerPort: 8080}]
---
apiVersion: v1
kind: Service
metadata: {name: web-${i}, namespace: scale}
spec:
  selector: {app: web-${i}}
  ports: [{port: 80, targetPort: 8080}]
`);
    }
    await ok(['apply', '-f', '-'], manifests.join('---\n'));
    await waitFor(
      '200 running pods in namespace scale',
      async () => {
        const out = await ok(['get', 'pods', '-n', 'scale', '--no-headers']);
        return out.split('\n').filter((l) => /\s1\/1\s+Running\s/.test(l)).length === 200 ? true : undefined;
      },
      300_000,
    );
    await page.click('#tab-map');
    await page.waitForFunction(`window.kwireUi.cy.nodes('.deployment.collapsed').length >= 8 && window.kwireUi.cy.edges('[id ^= "e:svc:scale/web-"]').length === 8`, undefined, { timeout: 60_000 });
    const layoutsBefore = Number(await page.evaluate('document.body.dataset.layouts'));
    await page.waitForFunction(`Number(document.body.dataset.layouts) >= ${layoutsBefore}`, undefined, { timeout: 60_000 });
    const shown = (await page.evaluate(`window.kwireUi.cy.nodes().length`)) as number;
    assert.ok(shown < 90, `a readable map of 206 pods: ${shown} nodes`);
    await page.evaluate(`window.kwireUi.cy.fit(undefined, 24)`);
    await shot('map-200');
    await page.evaluate(`window.kwireUi.cy.getElementById('deploy:scale/web-3').emit('tap')`);
    await page.waitForFunction(`window.kwireUi.cy.nodes('[parent = "deploy:scale/web-3"]').length === 25`, undefined, { timeout: 60_000 });
    const n = Number(await page.evaluate('document.body.dataset.layouts'));
    await page.waitForFunction(`Number(document.body.dataset.layouts) > ${n - 1} && !window.kwireUi.layoutRunning`, undefined, { timeout: 60_000 });
    await shot('map-200-expanded');
    assert.deepEqual(pageErrors, []);
  });
});
