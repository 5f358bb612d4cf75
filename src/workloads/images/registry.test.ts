/**
 * @module workloads/images/registry.test
 * Image references as containerd parses them, and which emulation each one
 * gets: every spelling of the lab's images, digests, mirrors, wrong images,
 * unknown tags and malformed names.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { familiarName, parseImageReference } from './image-ref.js';
import { defaultImageRegistry, unsupportedImageMessage } from './runtime.js';

const DIGEST = `sha256:${'a'.repeat(64)}`;

test('references normalise as containerd does', () => {
  const rows: ReadonlyArray<readonly [string, string]> = [
    ['nginx', 'docker.io/library/nginx:latest'],
    ['nginx:1.21', 'docker.io/library/nginx:1.21'],
    ['library/nginx', 'docker.io/library/nginx:latest'],
    ['docker.io/library/nginx:1.25', 'docker.io/library/nginx:1.25'],
    ['index.docker.io/library/nginx', 'docker.io/library/nginx:latest'],
    ['hashicorp/http-echo', 'docker.io/hashicorp/http-echo:latest'],
    ['docker.io/hashicorp/http-echo:latest', 'docker.io/hashicorp/http-echo:latest'],
    ['registry.k8s.io/e2e-test-images/agnhost:2.47', 'registry.k8s.io/e2e-test-images/agnhost:2.47'],
    ['localhost:5000/busybox:1.36', 'localhost:5000/busybox:1.36'],
    [`nginx@${DIGEST}`, `docker.io/library/nginx@${DIGEST}`],
    [`nginx:1.21@${DIGEST}`, `docker.io/library/nginx:1.21@${DIGEST}`],
  ];
  for (const [input, canonical] of rows) {
    const r = parseImageReference(input);
    assert.ok(r.ok, input);
    assert.equal(r.ref.canonical, canonical, input);
  }
  const r = parseImageReference('nginx:1.21');
  assert.ok(r.ok);
  assert.equal(familiarName(r.ref), 'nginx:1.21');
});

test('malformed references are refused with the reference library wording', () => {
  const rows: ReadonlyArray<readonly [string, string]> = [
    ['Nginx', 'invalid reference format: repository name must be lowercase'],
    ['nginx:', 'invalid reference format'],
    ['nginx::1', 'invalid reference format'],
    ['', 'invalid reference format'],
    [' nginx', 'invalid reference format'],
    ['nginx@sha256:xyz', 'invalid reference format'],
    ['-nginx', 'invalid reference format'],
  ];
  for (const [input, error] of rows) {
    const r = parseImageReference(input);
    assert.ok(!r.ok, input);
    assert.equal(r.error, error, input);
  }
  const l = defaultImageRegistry.lookup('Nginx');
  assert.ok(!l.ok);
  assert.equal(l.reason, 'InvalidImageName');
  assert.equal(l.message, 'Failed to apply default image tag "Nginx": couldn\'t parse image reference "Nginx": invalid reference format: repository name must be lowercase');
});

test('every spelling of an emulated image finds its emulation and version', () => {
  const rows: ReadonlyArray<readonly [string, string, string]> = [
    ['docker.io/hashicorp/http-echo:latest', 'http-echo', '1.0.0'],
    ['hashicorp/http-echo', 'http-echo', '1.0.0'],
    ['hashicorp/http-echo:0.2.3', 'http-echo', '0.2.3'],
    ['ghcr.io/hashicorp/http-echo:1.0', 'http-echo', '1.0.0'],
    ['nginx', 'nginx', '1.29.1'],
    ['nginx:1.21', 'nginx', '1.21.6'],
    ['nginx:1.21.6', 'nginx', '1.21.6'],
    ['nginx:1.25', 'nginx', '1.25.5'],
    ['nginx:1.27', 'nginx', '1.27.5'],
    ['nginx:stable', 'nginx', '1.28.0'],
    ['nginx:1.25-alpine', 'nginx', '1.25.5'],
    ['library/nginx:alpine', 'nginx', '1.29.1'],
    ['mirror.gcr.io/library/nginx:1.21', 'nginx', '1.21.6'],
    ['public.ecr.aws/nginx/nginx:1.27', 'nginx', '1.27.5'],
    [`nginx@${DIGEST}`, 'nginx', '1.29.1'],
    ['busybox', 'busybox', '1.37.0'],
    ['busybox:1.36', 'busybox', '1.36.1'],
    ['busybox:1.36-glibc', 'busybox', '1.36.1'],
    ['curlimages/curl:8.5.0', 'curl', '8.5.0'],
    ['curlimages/curl', 'curl', '8.16.0'],
    ['registry.k8s.io/e2e-test-images/agnhost:2.47', 'agnhost', '2.47'],
    ['k8s.gcr.io/e2e-test-images/agnhost:2.39', 'agnhost', '2.39'],
    ['gcr.io/kubernetes-e2e-test-images/agnhost:2.8', 'agnhost', '2.8'],
    ['traefik/whoami', 'whoami', '1.11.0'],
    ['traefik/whoami:v1.10.1', 'whoami', '1.10.1'],
    ['containous/whoami', 'whoami', '1.11.0'],
  ];
  for (const [image, id, version] of rows) {
    const l = defaultImageRegistry.lookup(image);
    assert.ok(l.ok, `${image}: ${l.ok ? '' : l.message}`);
    assert.equal(l.image.definition.id, id, image);
    assert.equal(l.image.config.version, version, image);
  }
  const glibc = defaultImageRegistry.lookup('busybox:1.36-glibc');
  assert.ok(glibc.ok);
  assert.equal(glibc.image.config.libc, 'glibc');
  const alpine = defaultImageRegistry.lookup('nginx:1.25-alpine');
  assert.ok(alpine.ok);
  assert.equal(alpine.image.config.libc, 'musl');
});

test('images without an emulation are reported, naming the emulated ones', () => {
  for (const image of ['bitnami/nginx', 'redis:7', 'alpine', 'nginxdemos/hello', 'docker.io/library/ubuntu:22.04']) {
    const l = defaultImageRegistry.lookup(image);
    assert.ok(!l.ok, image);
    assert.equal(l.reason, 'ErrImagePull');
  }
  const msg = unsupportedImageMessage('redis:7');
  assert.equal(
    msg,
    'kwire has no emulation of image "docker.io/library/redis:7": it runs no real containers, only emulations of ' +
      'hashicorp/http-echo, nginx, busybox, curlimages/curl, registry.k8s.io/e2e-test-images/agnhost, traefik/whoami',
  );
});

test('tags that do not exist fail the pull with containerd\'s not found', () => {
  for (const image of ['registry.k8s.io/e2e-test-images/agnhost:latest', 'nginx:banana', 'hashicorp/http-echo:nope']) {
    const l = defaultImageRegistry.lookup(image);
    assert.ok(!l.ok, image);
    assert.equal(l.reason, 'ErrImagePull');
    assert.match(l.message, /^rpc error: code = NotFound desc = failed to pull and unpack image ".+": failed to resolve reference ".+": .+: not found$/);
  }
});
