/**
 * @module apiserver/openapi/kubectl.test
 * The real kubectl (on PATH) against the documents, through the throwaway server in
 * ./kubectl-harness.ts: `kubectl explain` renders our schemas, and `kubectl apply`
 * (1.29 and 1.33, picked by the reported minor) trusts the server's field validation
 * (no OpenAPI v2 download, `fieldValidation=Strict`) and prints our strict error.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { runKubectl, startHarness, type Harness } from './kubectl-harness.js';

const service = (extra = ''): string =>
  ['apiVersion: v1', 'kind: Service', 'metadata:', '  name: web', 'spec:', '  selector: {app: web}', '  ports:', '  - port: 80', '    targetPort: 8080', extra].join('\n');

describe('real kubectl', { timeout: 120_000 }, () => {
  before(() => {
    const probe = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8', timeout: 30_000, env: { PATH: process.env.PATH ?? '' } });
    assert.equal(probe.error, undefined, 'these tests need kubectl on PATH');
  });

  describe('explain', () => {
    let h: Harness;
    before(async () => {
      h = await startHarness();
    });
    after(() => h.close());

    it('kubectl explain service.spec.ports', async () => {
      const r = await runKubectl(h.url, ['explain', 'service.spec.ports']);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^KIND:\s+Service\nVERSION:\s+v1\n\nFIELD: ports <\[\]ServicePort>\n/);
      assert.match(r.stdout, /DESCRIPTION:\n {4}The list of ports that are exposed by this service\./);
      assert.match(r.stdout, /\n {4}ServicePort contains information on service's port\.\n/);
      assert.match(r.stdout, /\n {2}port\t<integer> -required-\n {4}The port that will be exposed by this service\.\n/);
      assert.match(r.stdout, /\n {2}targetPort\t<IntOrString>\n {4}Number or name of the port to access on the pods targeted by the service\./);
      assert.match(r.stdout, /\n {2}nodePort\t<integer>\n {4}The port on each node on which this service is exposed/);
      assert.match(r.stdout, /\n {2}protocol\t<string>\n/);
      assert.ok(h.requests.some((x) => x.startsWith('GET /openapi/v3/api/v1?hash=')), h.requests.join('\n'));
    });

    it('kubectl explain deployment.spec --recursive', async () => {
      const r = await runKubectl(h.url, ['explain', 'deployment.spec', '--recursive']);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^GROUP:\s+apps\nKIND:\s+Deployment\nVERSION:\s+v1\n\nFIELD: spec <DeploymentSpec>\n/);
      for (const line of [
        '  replicas\t<integer>',
        '  selector\t<LabelSelector> -required-',
        '    matchLabels\t<map[string]string>',
        '      maxSurge\t<IntOrString>',
        '  template\t<PodTemplateSpec> -required-',
        '      labels\t<map[string]string>',
        '      containers\t<[]Container> -required-',
        '        ports\t<[]ContainerPort>',
        '          containerPort\t<integer> -required-',
        '          limits\t<map[string]Quantity>',
      ]) {
        assert.ok(r.stdout.split('\n').includes(line), `missing line ${JSON.stringify(line)}`);
      }
    });

    it('kubectl explain of an unknown field fails like a real cluster', async () => {
      const r = await runKubectl(h.url, ['explain', 'service.spec.nope']);
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /field "nope" does not exist/);
    });
  });

  for (const minor of ['29', '33']) {
    describe(`apply via kubectl 1.${minor}`, () => {
      let h: Harness;
      before(async () => {
        h = await startHarness({ minor });
      });
      after(() => h.close());

      it('creates a valid Service with fieldValidation=Strict and no OpenAPI v2 download', async () => {
        const r = await runKubectl(h.url, ['apply', '-f', '-'], { stdin: service() });
        assert.equal(r.code, 0, r.stderr);
        assert.match(r.stdout, /service\/web created/);
        const post = h.requests.find((x) => x.startsWith('POST /api/v1/namespaces/default/services?'));
        assert.ok(post, h.requests.join('\n'));
        assert.match(post, /[?&]fieldValidation=Strict(&|$)/);
        assert.ok(h.requests.some((x) => x.startsWith('GET /openapi/v3/api/v1?hash=')));
        assert.ok(!h.requests.some((x) => x.includes('/openapi/v2') || x.includes('swagger')), h.requests.join('\n'));
      });

      it('prints the strict decoding error for unknown fields', async () => {
        const r = await runKubectl(h.url, ['apply', '-f', '-'], { stdin: service('    bogus: 1\n  foo: bar\n') });
        assert.notEqual(r.code, 0);
        assert.match(
          r.stderr,
          /Error from server \(BadRequest\): error when creating "STDIN": Service in version "v1" cannot be handled as a Service: strict decoding error: unknown field "spec.foo", unknown field "spec.ports\[0\].bogus"/,
        );
      });

      it('shows Warn-mode warnings from the Warning header', async () => {
        const r = await runKubectl(h.url, ['apply', '--validate=warn', '-f', '-'], { stdin: service('    bogus: 1\n') });
        assert.equal(r.code, 0, r.stderr);
        assert.match(r.stderr, /Warning: unknown field "spec\.ports\[0\]\.bogus"/);
      });
    });
  }
});
