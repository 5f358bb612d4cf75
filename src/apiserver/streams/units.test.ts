/**
 * @module apiserver/streams/units.test
 * Unit tests for the pure pieces: resize decoding, Status documents, query options,
 * container checks, SPDY protocol negotiation, port-forward error text, log timestamps.
 */
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { describe, it } from 'node:test';
import { ApiError } from '../../errors.js';
import { KubeletError, requireLogs, requireRunning, resolveContainer } from './containers.js';
import { formatLogTimestamp } from './logs.js';
import { NegotiationError, SPDY_CHANNEL_PROTOCOLS, chooseWsChannelProtocol, negotiateSpdy } from './negotiate.js';
import { parseLogOptions, parseStreamOptions } from './params.js';
import { netnsPath, portForwardErrorMessage, sandboxId } from './pod-identity.js';
import { JsonObjectSplitter, resizeDecoder, type TerminalSize } from './resize.js';
import { encodeStatus, resultStatus } from './status.js';
import { runningPod } from './test-harness.js';

function fakeReq(headers: Record<string, string | string[]>): IncomingMessage {
  return { headers } as unknown as IncomingMessage;
}

function apiMessage(fn: () => unknown): { code: number; reason: string; message: string } {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof ApiError, `expected ApiError, got ${String(e)}`);
    return { code: e.code, reason: e.reason, message: e.message };
  }
  assert.fail('expected an error');
}

describe('resize decoding', () => {
  it('splits JSON objects across arbitrary chunk boundaries', () => {
    const sizes: TerminalSize[] = [];
    const push = resizeDecoder((s) => sizes.push(s));
    const wire = Buffer.from('{"Width":80,"Height":24}\n{"Width":81,"Height":25}\n{"Width":120,"Height":40}\n');
    for (let i = 0; i < wire.length; i += 7) push(wire.subarray(i, i + 7));
    assert.deepEqual(sizes, [
      { width: 80, height: 24 },
      { width: 81, height: 25 },
      { width: 120, height: 40 },
    ]);
  });

  it('ignores braces inside strings and objects that are not sizes', () => {
    const s = new JsonObjectSplitter();
    assert.deepEqual(s.push('{"a":"}{"}{"Width'), [{ a: '}{' }]);
    assert.deepEqual(s.push('":1,"Height":2}'), [{ Width: 1, Height: 2 }]);
    const sizes: TerminalSize[] = [];
    resizeDecoder((x) => sizes.push(x))(Buffer.from('{"Width":"x"}{"width":3,"height":4}'));
    assert.deepEqual(sizes, [{ width: 3, height: 4 }]);
  });
});

describe('exec Status documents', () => {
  it('Success is the bare metav1.Status', () => {
    assert.equal(encodeStatus(resultStatus('exec', { exitCode: 0 }), true)?.toString(), '{"metadata":{},"status":"Success"}');
  });

  it('a non-zero exit carries the ExitCode cause and the CRI wording', () => {
    assert.equal(
      encodeStatus(resultStatus('exec', { exitCode: 3 }, ['sh', '-c', 'exit 3']), true)?.toString(),
      '{"metadata":{},"status":"Failure","message":"command terminated with non-zero exit code: error executing command [sh -c exit 3], exit code 3","reason":"NonZeroExitCode","details":{"causes":[{"reason":"ExitCode","message":"3"}]}}',
    );
  });

  it('errors are InternalError with the kubelet prefix; pre-v4 protocols get text only', () => {
    const st = resultStatus('attach', { error: 'gone' });
    assert.equal(st.message, 'Internal error occurred: error attaching to container: gone');
    assert.equal(st.code, 500);
    assert.equal(encodeStatus(st, false)?.toString(), 'Internal error occurred: error attaching to container: gone');
    assert.equal(encodeStatus(resultStatus('exec', { exitCode: 0 }), false), undefined);
  });
});

describe('query options', () => {
  it('reads exec options; tty drops stderr', () => {
    const q = new URLSearchParams('command=ls&command=-l&container=web&stdin=true&stdout=true&stderr=true&tty=true');
    assert.deepEqual(parseStreamOptions('exec', q), { container: 'web', command: ['ls', '-l'], stdin: true, stdout: true, stderr: false, tty: true });
  });

  it('refuses exec without command or streams', () => {
    assert.equal(apiMessage(() => parseStreamOptions('exec', new URLSearchParams('stdout=true'))).message, 'you must specify at least one command for the container');
    assert.equal(apiMessage(() => parseStreamOptions('attach', new URLSearchParams(''))).message, 'you must specify at least 1 of stdin, stdout, stderr');
  });

  it('reads and validates log options', () => {
    const o = parseLogOptions('p', new URLSearchParams('container=web&follow=true&tailLines=10&timestamps=true&sinceSeconds=5'));
    assert.equal(o.follow, true);
    assert.equal(o.tailLines, 10);
    assert.equal(o.sinceSeconds, 5);
    const both = apiMessage(() => parseLogOptions('p', new URLSearchParams('sinceSeconds=5&sinceTime=2026-01-01T00:00:00Z')));
    assert.equal(both.code, 422);
    assert.equal(both.message, 'PodLogOptions "p" is invalid: : Forbidden: at most one of `sinceTime` or `sinceSeconds` may be specified');
    assert.equal(apiMessage(() => parseLogOptions('p', new URLSearchParams('sinceSeconds=0'))).message, 'PodLogOptions "p" is invalid: sinceSeconds: Invalid value: 0: must be greater than 0');
    assert.equal(apiMessage(() => parseLogOptions('p', new URLSearchParams('tailLines=x'))).code, 400);
  });
});

describe('container checks', () => {
  it('defaults the only container and refuses unknown ones', () => {
    assert.equal(resolveContainer(runningPod('p'), undefined), 'web');
    assert.equal(apiMessage(() => resolveContainer(runningPod('p'), 'x')).message, 'container x is not valid for pod p');
  });

  it('lists init containers first when asking to choose', () => {
    const pod = runningPod('m', ['a', 'b']);
    (pod['spec'] as { initContainers?: unknown[] }).initContainers = [{ name: 'init' }];
    assert.equal(apiMessage(() => resolveContainer(pod, '')).message, 'a container name must be specified for pod m, choose one of: [init a b]');
    assert.equal(resolveContainer(pod, 'init'), 'init');
  });

  it('exec/attach need a running container (kubelet text)', () => {
    const waiting = runningPod('w', ['web'], { waiting: { web: 'ContainerCreating' } });
    assert.throws(
      () => requireRunning(waiting, 'web'),
      (e: unknown) => e instanceof KubeletError && e.httpCode === 500 && e.message === 'container not found ("web")',
    );
    requireRunning(runningPod('p'), 'web');
  });

  it('logs follow validateContainerLogStatus', () => {
    const pull = runningPod('w', ['web'], { waiting: { web: 'ImagePullBackOff' } });
    assert.equal(apiMessage(() => requireLogs(pull, 'web', false)).message, 'container "web" in pod "w" is waiting to start: trying and failing to pull image');
    const nostatus = runningPod('n');
    (nostatus['status'] as { containerStatuses?: unknown[] }).containerStatuses = [];
    assert.equal(apiMessage(() => requireLogs(nostatus, 'web', false)).message, 'container "web" in pod "n" is not available');
    const restarted = runningPod('r');
    const cs = (restarted['status'] as { containerStatuses: Array<{ lastState: unknown }> }).containerStatuses[0]!;
    cs.lastState = { terminated: { exitCode: 1, containerID: 'containerd://old' } };
    requireLogs(restarted, 'web', true);
    requireLogs(restarted, 'web', false);
  });
});

describe('SPDY negotiation', () => {
  it('prefers v4 whatever the client order', () => {
    const req = fakeReq({ 'x-stream-protocol-version': 'v5.channel.k8s.io, v4.channel.k8s.io, v3.channel.k8s.io, v2.channel.k8s.io, channel.k8s.io' });
    assert.equal(negotiateSpdy(req, SPDY_CHANNEL_PROTOCOLS), 'v4.channel.k8s.io');
    assert.equal(negotiateSpdy(fakeReq({ 'x-stream-protocol-version': 'v3.channel.k8s.io' }), SPDY_CHANNEL_PROTOCOLS), 'v3.channel.k8s.io');
  });

  it('refuses missing or foreign versions like httpstream.Handshake', () => {
    assert.throws(() => negotiateSpdy(fakeReq({}), SPDY_CHANNEL_PROTOCOLS), (e: unknown) => e instanceof NegotiationError && e.httpCode === 400);
    assert.throws(
      () => negotiateSpdy(fakeReq({ 'x-stream-protocol-version': 'v9.channel.k8s.io' }), ['portforward.k8s.io']),
      (e: unknown) =>
        e instanceof NegotiationError && e.httpCode === 403 && e.message === 'unable to upgrade: unable to negotiate protocol: client supports [v9.channel.k8s.io], server accepts [portforward.k8s.io]',
    );
  });

  it('chooses the WebSocket channel protocol', () => {
    assert.equal(chooseWsChannelProtocol(new Set(['v5.channel.k8s.io'])), 'v5.channel.k8s.io');
    assert.equal(chooseWsChannelProtocol(new Set(['v4.channel.k8s.io', 'base64.channel.k8s.io'])), 'v4.channel.k8s.io');
    assert.equal(chooseWsChannelProtocol(new Set()), 'channel.k8s.io');
    assert.equal(chooseWsChannelProtocol(new Set(['v9.channel.k8s.io'])), undefined);
  });
});

describe('runtime identities and texts', () => {
  it('derives a stable sandbox id and netns path from the pod uid', () => {
    const pod = runningPod('p');
    pod.metadata.uid = '1b4e28ba-2fa1-11d2-883f-0016d3cca427';
    assert.match(sandboxId(pod), /^[0-9a-f]{64}$/);
    assert.equal(sandboxId(pod), sandboxId(structuredClone(pod)));
    assert.match(netnsPath(pod), /^\/var\/run\/netns\/cni-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
    assert.equal(
      portForwardErrorMessage(pod, 8080, refused),
      `error forwarding port 8080 to pod ${sandboxId(pod)}, uid : failed to execute portforward in network namespace "${netnsPath(pod)}": failed to connect to localhost:8080 inside namespace "${sandboxId(pod)}", IPv4: dial tcp4 127.0.0.1:8080: connect: connection refused IPv6 dial tcp6 [::1]:8080: connect: connection refused `,
    );
    assert.match(portForwardErrorMessage(pod, 80, new Error('no route')), /: no route$/);
  });

  it('formats log timestamps with nine fractional digits', () => {
    assert.equal(formatLogTimestamp(new Date('2026-03-04T05:06:07.089Z')), '2026-03-04T05:06:07.089000000Z');
  });
});
