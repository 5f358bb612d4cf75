/**
 * @module cli/lab/networking
 * The networking lab ("Kubernetes Networking: Services,
 * Ingress, and Network Policies"), its eleven steps as the lab writes them, with
 * the checks that say whether each step's outcome is what the lab describes.
 *
 * Commands run from the folder holding the lab's manifests
 * (`examples/networking-lab/`), so `kubectl apply -f backend-deployment.yaml`
 * runs as written. Where the lab's command cannot run unattended it is adapted
 * and the reason printed: interactive shells (`-it ... -- sh`) become
 * `-i ... -- sh -c '<the lines>'`, `<NODE_IP>` becomes each node's IP,
 * `/etc/hosts` edits become `curl --resolve` (and `kwire hosts`), `minikube
 * service` and `minikube addons` become `kwire service` and `kwire addons`.
 * Used by `kwire lab networking` and by the e2e tests (test/e2e/lab-scenario.ts).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { RunResult } from './exec.js';
import type { Check, Lab, LabStep, StepContext } from './runner.js';

export const NS = 'networking-lab';
const N = ['-n', NS] as const;

/** The folder with the lab's manifests, from src/ (tsx) or dist/ (compiled). */
export function labManifestsDir(): string {
  for (const rel of ['../../../examples/networking-lab/', '../../../../examples/networking-lab/']) {
    const p = fileURLToPath(new URL(rel, import.meta.url));
    if (existsSync(`${p}backend-deployment.yaml`)) return p;
  }
  throw new Error('the lab manifests (examples/networking-lab/) are missing from this kwire installation');
}

// ------------------------------------------------------------------ checks

const lines = (s: string): string[] =>
  s
    .trim()
    .split('\n')
    .map((l) => l.trimEnd())
    .filter((l) => l !== '');

/** kubectl printed exactly these lines and succeeded. */
function says(...expected: string[]): (r: RunResult) => Check[] {
  return (r) => [{ ok: r.code === 0 && lines(r.stdout).join('\n') === expected.join('\n'), what: `kubectl says ${expected.map((e) => `"${e}"`).join(', ')}` }];
}

const HELLO = /^Hello from Backend Pod: (\S+)$/gm;

/** The backend pod names in the answers, in order. */
export function helloPods(text: string): string[] {
  return [...text.matchAll(HELLO)].map((m) => m[1]!);
}

/** Lines of a `kubectl get pods` table for pods named prefix-... that are 1/1 Running. */
function runningPods(out: string, prefix: string): { running: number; total: number } {
  const rows = lines(out).filter((l) => l.startsWith(`${prefix}-`));
  return { running: rows.filter((l) => new RegExp(`^${prefix}-\\S+\\s+1/1\\s+Running\\s+0\\s+\\S+$`).test(l)).length, total: rows.length };
}

const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

// ------------------------------------------------------------------ values the steps share

async function nodeIps(ctx: StepContext): Promise<string[]> {
  return ctx.remember('nodeIps', async () =>
    (await ctx.quiet('kubectl', ['get', 'nodes', '-o', 'jsonpath={.items[*].status.addresses[?(@.type=="InternalIP")].address}'])).trim().split(/\s+/),
  );
}

async function backendPods(ctx: StepContext): Promise<string[]> {
  return (await ctx.quiet('kubectl', ['get', 'pods', ...N, '-l', 'app=backend', '-o', 'jsonpath={.items[*].metadata.name}'])).trim().split(/\s+/);
}

/** The ingress controller's EXTERNAL-IP, where the lab's `/etc/hosts` names should point. */
export async function ingressIp(ctx: StepContext): Promise<string> {
  return ctx.remember('ingressIp', async () =>
    (
      await ctx.quiet('kubectl', ['get', 'svc', 'ingress-nginx-controller', '-n', 'ingress-nginx', '-o', 'jsonpath={.status.loadBalancer.ingress[0].ip}'], (r) =>
        /^127\.\d+\.\d+\.\d+$/.test(r.stdout.trim()),
      )
    ).trim(),
  );
}

const SHELL_WHY = 'the lab opens a shell to type in (-it ... -- sh); unattended, the lines you would type run through sh -c, with -i and no -t (nobody types at it)';
const NO_TTY_WHY = 'unattended, no terminal is attached: -t needs one, -i still streams the output';

/** `curl` of a host name through the ingress, as the lab's /etc/hosts line would send it. */
function viaIngress(host: string, path: string, ip: string): string[] {
  return ['-s', '--resolve', `${host}:80:${ip}`, `http://${host}${path}`];
}

const RESOLVE_WHY = (ip: string) =>
  `instead of editing /etc/hosts (sudo), --resolve sends the name to the ingress address ${ip} (the ingress-nginx EXTERNAL-IP) for this request`;

// ------------------------------------------------------------------ the steps

const step1: LabStep = {
  n: 1,
  title: 'Set Up the Lab Environment',
  outcome: 'namespace networking-lab with 3 backend pods Running',
  async run(ctx) {
    await ctx.cmd({ kind: 'change', program: 'kubectl', args: ['create', 'namespace', NS], expect: says('namespace/networking-lab created') });
    await ctx.cmd({ kind: 'change', program: 'kubectl', args: ['apply', '-f', 'backend-deployment.yaml'], expect: says('deployment.apps/backend created') });
    await ctx.cmd({
      kind: 'observe',
      setup: true,
      program: 'kubectl',
      args: ['get', 'pods', ...N, '-l', 'app=backend'],
      retry: { until: (r) => runningPods(r.stdout, 'backend').running === 3 && runningPods(r.stdout, 'backend').total === 3, note: 'until the pods were Running, as you would' },
      expect: (r) => [
        { ok: /^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE$/m.test(r.stdout), what: 'kubectl shows the pods table' },
        { ok: runningPods(r.stdout, 'backend').running === 3 && runningPods(r.stdout, 'backend').total === 3, what: '3 backend pods, 1/1 Running' },
      ],
    });
  },
};

const step2: LabStep = {
  n: 2,
  title: 'Create a ClusterIP Service',
  outcome: 'a ClusterIP reachable in the cluster, answering from different backend pods',
  async run(ctx) {
    await ctx.cmd({ kind: 'change', program: 'kubectl', args: ['apply', '-f', 'clusterip-service.yaml'], expect: says('service/backend-clusterip created') });
    await ctx.cmd({
      kind: 'observe',
      program: 'kubectl',
      args: ['get', 'svc', 'backend-clusterip', ...N],
      expect: (r) => [{ ok: /^backend-clusterip\s+ClusterIP\s+10\.\d+\.\d+\.\d+\s+<none>\s+80\/TCP\s+\S+$/m.test(r.stdout), what: 'a ClusterIP Service with a 10.x CLUSTER-IP on port 80' }],
    });
    if (ctx.mode === 'setup') return;
    const names = await backendPods(ctx);
    const wget = 'wget -qO- http://backend-clusterip';
    await ctx.cmd({
      kind: 'observe',
      program: 'kubectl',
      args: ['run', 'test-pod', '--image=busybox', '--rm', '-i', '--restart=Never', ...N, '--', 'sh', '-c', [wget, wget, wget].join('; ')],
      lab: `kubectl run test-pod --image=busybox --rm -it --restart=Never -n ${NS} -- sh\n${wget}\n# Try multiple times to see load balancing\n${wget}\n${wget}\nexit`,
      why: SHELL_WHY,
      retry: { until: (r) => new Set(helloPods(r.stdout)).size >= 2, ms: 15_000, note: 'until two different pods answered (kube-proxy picks a backend at random for each connection)' },
      expect: (r) => {
        const seen = helloPods(r.stdout);
        return [
          { ok: seen.length === 3 && seen.every((n) => names.includes(n)), what: '3 answers "Hello from Backend Pod: <pod>", each a backend pod' },
          { ok: new Set(seen).size >= 2, what: `answers from different backend pods (${[...new Set(seen)].join(', ')})` },
        ];
      },
    });
  },
};

const step3: LabStep = {
  n: 3,
  title: 'Service Discovery with DNS',
  outcome: 'backend-clusterip resolves to its ClusterIP and answers by its full and short names',
  async run(ctx) {
    if (ctx.mode === 'setup') return;
    const ip = (await ctx.quiet('kubectl', ['get', 'svc', 'backend-clusterip', ...N, '-o', 'jsonpath={.spec.clusterIP}'])).trim();
    const script = ['nslookup backend-clusterip', 'wget -qO- http://backend-clusterip.networking-lab.svc.cluster.local', 'wget -qO- http://backend-clusterip'];
    await ctx.cmd({
      kind: 'observe',
      program: 'kubectl',
      args: ['run', 'dns-test', '--image=busybox', '--rm', '-i', '--restart=Never', ...N, '--', 'sh', '-c', script.join('; ')],
      lab: `kubectl run dns-test --image=busybox --rm -it --restart=Never -n ${NS} -- sh\n# Test service name resolution\n${script[0]}\n# Access using DNS name\n${script[1]}\n# Short form (within same namespace)\n${script[2]}\nexit`,
      why: SHELL_WHY,
      expect: (r) => [
        { ok: /Server:\s+10\.96\.0\.10/.test(r.stdout), what: 'the resolver is cluster DNS, 10.96.0.10' },
        {
          ok: new RegExp(`Name:\\s+backend-clusterip\\.networking-lab\\.svc\\.cluster\\.local\\nAddress: ${esc(ip)}`).test(r.stdout),
          what: `backend-clusterip.networking-lab.svc.cluster.local resolves to the ClusterIP ${ip}`,
        },
        { ok: helloPods(r.stdout).length === 2, what: 'both the full name and the short name answer' },
      ],
    });
  },
};

const step4: LabStep = {
  n: 4,
  title: 'Create a NodePort Service',
  outcome: 'port 30080 answers on every node IP',
  async run(ctx) {
    await ctx.cmd({ kind: 'change', program: 'kubectl', args: ['apply', '-f', 'nodeport-service.yaml'], expect: says('service/backend-nodeport created') });
    await ctx.cmd({
      kind: 'observe',
      program: 'kubectl',
      args: ['get', 'svc', 'backend-nodeport', ...N],
      expect: (r) => [{ ok: /^backend-nodeport\s+NodePort\s+10\.\S+\s+<none>\s+80:30080\/TCP\s/m.test(r.stdout), what: 'a NodePort Service on port 80:30080' }],
    });
    if (ctx.mode === 'setup') return;
    const wide = await ctx.cmd({
      kind: 'observe',
      program: 'kubectl',
      args: ['get', 'nodes', '-o', 'wide'],
      expect: (r) => {
        const rows = lines(r.stdout).slice(1);
        return [{ ok: rows.length > 0 && rows.every((l) => /^\S+\s+Ready\s+\S+\s+\S+\s+v[\d.]+\s+127\.\d+\.\d+\.\d+\s/.test(l)), what: 'every node is Ready with an INTERNAL-IP on this machine (127.x)' }];
      },
    });
    const ips = wide ? lines(wide.stdout).slice(1).map((l) => l.split(/\s+/)[5]!) : await nodeIps(ctx);
    ctx.state.set('nodeIps', ips);
    for (const ip of ips) {
      await ctx.cmd({
        kind: 'observe',
        program: 'curl',
        args: ['-s', `http://${ip}:30080`],
        ...(ip === ips[0] ? { lab: '# Replace <NODE_IP> with actual node IP\ncurl http://<NODE_IP>:30080', why: "<NODE_IP> is each node's INTERNAL-IP above, in turn (-s: no progress meter)" } : {}),
        retry: { until: (r) => r.code === 0, ms: 10_000 },
        expect: (r) => [{ ok: r.code === 0 && helloPods(r.stdout).length === 1, what: `${ip}:30080 answers from a backend pod` }],
      });
    }
    if (ctx.tools.kwire) {
      await ctx.cmd({
        kind: 'observe',
        program: 'kwire',
        args: ['service', 'backend-nodeport', ...N, '--url'],
        lab: `minikube service backend-nodeport -n ${NS}`,
        why: 'kwire service is minikube service for kwire: it prints the URLs (and opens no browser)',
        expect: (r) => [{ ok: r.code === 0 && lines(r.stdout).join(' ') === ips.map((ip) => `http://${ip}:30080`).join(' '), what: 'one URL per node, http://<node IP>:30080' }],
      });
    }
  },
};

const step5: LabStep = {
  n: 5,
  title: 'Create a LoadBalancer Service',
  outcome: 'an EXTERNAL-IP is assigned (kwire has a load balancer: no <pending>) and it answers',
  async run(ctx) {
    await ctx.cmd({ kind: 'change', program: 'kubectl', args: ['apply', '-f', 'loadbalancer-service.yaml'], expect: says('service/backend-loadbalancer created') });
    const LB = /^backend-loadbalancer\s+LoadBalancer\s+10\.\S+\s+(127\.\d+\.\d+\.\d+)\s+80:\d+\/TCP\s/m;
    const svc = await ctx.cmd({
      kind: 'observe',
      setup: true,
      program: 'kubectl',
      args: ['get', 'svc', 'backend-loadbalancer', ...N],
      retry: { until: (r) => LB.test(r.stdout), note: 'until the EXTERNAL-IP was assigned' },
      expect: (r) => [{ ok: LB.test(r.stdout), what: 'an EXTERNAL-IP from kwire’s pool (127.x, a real address here)' }],
    });
    if (!svc) return;
    const ip = LB.exec(svc.stdout)![1]!;
    ctx.state.set('lbIp', ip);
    if (ctx.mode === 'setup') return;
    await ctx.cmd({
      kind: 'observe',
      extra: true,
      program: 'curl',
      args: ['-s', `http://${ip}`],
      why: 'the EXTERNAL-IP is a real address on this machine, so try it',
      retry: { until: (r) => r.code === 0, ms: 10_000 },
      expect: (r) => [{ ok: r.code === 0 && helloPods(r.stdout).length === 1, what: `http://${ip} answers from a backend pod` }],
    });
  },
};

const step6: LabStep = {
  n: 6,
  title: 'Deploy a Frontend Application',
  outcome: 'the frontend Deployment and Service exist and its 2 pods are Running',
  async run(ctx) {
    await ctx.cmd({ kind: 'change', program: 'kubectl', args: ['apply', '-f', 'frontend-deployment.yaml'], expect: says('deployment.apps/frontend created', 'service/frontend-service created') });
    await ctx.cmd({
      kind: 'observe',
      setup: true,
      compact: true,
      program: 'kubectl',
      args: ['get', 'pods', ...N, '-l', 'app=frontend'],
      retry: { until: (r) => runningPods(r.stdout, 'frontend').running === 2 && runningPods(r.stdout, 'frontend').total === 2 },
      expect: (r) => [{ ok: runningPods(r.stdout, 'frontend').running === 2 && runningPods(r.stdout, 'frontend').total === 2, what: '2 frontend pods 1/1 Running' }],
    });
  },
};

const step7: LabStep = {
  n: 7,
  title: 'Configure Ingress',
  outcome: 'frontend.local answers with nginx and backend.local with a backend pod, through the ingress',
  async run(ctx) {
    await ctx.cmd({
      kind: 'observe',
      program: 'kubectl',
      args: ['get', 'pods', '-n', 'ingress-nginx'],
      retry: { until: (r) => runningPods(r.stdout, 'ingress-nginx-controller').running === 1 },
      expect: (r) => [{ ok: runningPods(r.stdout, 'ingress-nginx-controller').running === 1, what: 'the ingress-nginx controller is Running' }],
    });
    await ctx.cmd({ kind: 'change', program: 'kubectl', args: ['apply', '-f', 'ingress.yaml'], expect: says('ingress.networking.k8s.io/app-ingress created') });
    const ING = /^app-ingress\s+nginx\s+frontend\.local,backend\.local\s+127\.\d+\.\d+\.\d+\s+80\s+\S+$/m;
    await ctx.cmd({
      kind: 'observe',
      setup: true,
      program: 'kubectl',
      args: ['get', 'ingress', ...N],
      retry: { until: (r) => ING.test(r.stdout), note: 'until the ADDRESS was set' },
      expect: (r) => [{ ok: ING.test(r.stdout), what: 'app-ingress, class nginx, hosts frontend.local and backend.local, with an ADDRESS' }],
    });
    if (ctx.mode === 'setup') return;
    const CTL = /^ingress-nginx-controller\s+LoadBalancer\s+10\.\S+\s+(127\.\d+\.\d+\.\d+)\s+80:\d+\/TCP,443:\d+\/TCP\s/m;
    const svc = await ctx.cmd({
      kind: 'observe',
      program: 'kubectl',
      args: ['get', 'svc', '-n', 'ingress-nginx'],
      expect: (r) => [{ ok: CTL.test(r.stdout), what: 'the ingress controller has an EXTERNAL-IP' }],
    });
    const ip = svc ? CTL.exec(svc.stdout)![1]! : await ingressIp(ctx);
    ctx.state.set('ingressIp', ip);
    const echo = 'echo "127.0.0.1 frontend.local backend.local" | sudo tee -a /etc/hosts';
    if (ctx.tools.kwire) {
      await ctx.cmd({
        kind: 'observe',
        program: 'kwire',
        args: ['hosts'],
        lab: `# Add to /etc/hosts (use appropriate IP)\n${echo}`,
        why: 'no sudo: kwire hosts prints the line for every Ingress host (kwire hosts --write adds it, in a marked block); the curls below use --resolve',
        expect: (r) => [
          {
            ok: r.code === 0 && lines(r.stdout).some((l) => new RegExp(`^(127\\.0\\.0\\.1|${esc(ip)}) .*\\bfrontend\\.local\\b`).test(l) && /\bbackend\.local\b/.test(l)),
            what: 'a hosts line with frontend.local and backend.local',
          },
        ],
      });
      await ctx.cmd({
        kind: 'observe',
        program: 'kwire',
        args: ['addons', 'list'],
        lab: 'minikube addons enable ingress',
        why: 'kwire runs ingress-nginx from the start; kwire addons lists it (and can disable it)',
        expect: (r) => [{ ok: r.code === 0 && /^ingress-nginx\s+ingress-nginx\s+enabled\s/m.test(r.stdout), what: 'the ingress-nginx add-on is enabled' }],
      });
    } else {
      ctx.notRun(echo, 'the curls below use --resolve instead of an /etc/hosts line');
    }
    await ctx.cmd({
      kind: 'observe',
      program: 'curl',
      args: viaIngress('frontend.local', '', ip),
      lab: 'curl http://frontend.local',
      why: RESOLVE_WHY(ip),
      retry: { until: (r) => r.stdout.includes('Welcome to nginx!'), ms: 15_000 },
      expect: (r) => [{ ok: /<title>Welcome to nginx!<\/title>/.test(r.stdout), what: 'frontend.local answers with the nginx welcome page' }],
    });
    await ctx.cmd({
      kind: 'observe',
      program: 'curl',
      args: viaIngress('backend.local', '', ip),
      lab: 'curl http://backend.local',
      why: 'the same for backend.local',
      retry: { until: (r) => helloPods(r.stdout).length === 1, ms: 10_000 },
      expect: (r) => [{ ok: helloPods(r.stdout).length === 1, what: 'backend.local answers from a backend pod' }],
    });
    await ctx.cmd({
      kind: 'observe',
      extra: true,
      compact: true,
      program: 'curl',
      args: ['-s', '-o', '/dev/null', '-w', '%{http_code}', '--resolve', `nothing.local:80:${ip}`, 'http://nothing.local'],
      expect: (r) => [{ ok: r.stdout === '404', what: 'a host no rule names gets the default backend’s 404' }],
    });
  },
};

const step8: LabStep = {
  n: 8,
  title: 'Path-Based Routing',
  outcome: 'app.local/frontend reaches nginx and app.local/backend a backend pod',
  async run(ctx) {
    await ctx.cmd({ kind: 'change', program: 'kubectl', args: ['apply', '-f', 'ingress-path-based.yaml'], expect: says('ingress.networking.k8s.io/path-based-ingress created') });
    if (ctx.mode === 'setup') return;
    const ip = await ingressIp(ctx);
    await ctx.cmd({
      kind: 'observe',
      program: 'curl',
      args: viaIngress('app.local', '/frontend', ip),
      lab: 'curl http://app.local/frontend',
      why: RESOLVE_WHY(ip),
      retry: { until: (r) => r.stdout.includes('Welcome to nginx!'), ms: 15_000 },
      expect: (r) => [{ ok: /<title>Welcome to nginx!<\/title>/.test(r.stdout), what: 'app.local/frontend answers with nginx (rewritten to /)' }],
    });
    await ctx.cmd({
      kind: 'observe',
      program: 'curl',
      args: viaIngress('app.local', '/backend', ip),
      lab: 'curl http://app.local/backend',
      why: 'the same for /backend',
      retry: { until: (r) => helloPods(r.stdout).length === 1, ms: 10_000 },
      expect: (r) => [{ ok: helloPods(r.stdout).length === 1, what: 'app.local/backend answers from a backend pod' }],
    });
  },
};

const step9: LabStep = {
  n: 9,
  title: 'Implement Network Policies',
  outcome: 'with deny-all, the request times out',
  async run(ctx) {
    await ctx.cmd({ kind: 'change', program: 'kubectl', args: ['label', 'namespace', NS, 'environment=test'], expect: says('namespace/networking-lab labeled') });
    await ctx.cmd({ kind: 'change', program: 'kubectl', args: ['apply', '-f', 'deny-all-policy.yaml'], expect: says('networkpolicy.networking.k8s.io/deny-all created') });
    await ctx.cmd({
      kind: 'observe',
      program: 'kubectl',
      args: ['run', 'test-pod', '--image=busybox', '--rm', '-i', '--restart=Never', ...N, '--', 'wget', '-qO-', 'http://backend-clusterip', '--timeout=5'],
      lab: `kubectl run test-pod --image=busybox --rm -it --restart=Never -n ${NS} -- wget -qO- http://backend-clusterip --timeout=5`,
      why: NO_TTY_WHY,
      expect: (r) => [
        { ok: r.code !== 0 && helloPods(r.stdout).length === 0, what: 'the request fails' },
        { ok: r.ms >= 4_500, what: `it waited out its 5 s timeout, as with a dropped packet (${(r.ms / 1000).toFixed(1)} s)` },
        // The egress deny blocks DNS too, as on a real cluster: the name does not even resolve.
        { ok: /bad address 'backend-clusterip'|download timed out/.test(r.stdout + r.stderr), what: 'wget reports the timeout (DNS is denied too: bad address)' },
      ],
    });
  },
};

const step10: LabStep = {
  n: 10,
  title: 'Create Selective Network Policies',
  outcome: 'the frontend reaches the backend; other pods still cannot',
  async run(ctx) {
    await ctx.cmd({
      kind: 'change',
      program: 'kubectl',
      args: ['apply', '-f', 'allow-frontend-to-backend.yaml'],
      expect: says(
        'networkpolicy.networking.k8s.io/allow-frontend-to-backend created',
        'networkpolicy.networking.k8s.io/allow-ingress-to-frontend created',
        'networkpolicy.networking.k8s.io/allow-dns-egress created',
      ),
    });
    if (ctx.mode === 'setup') return;
    const names = ['deny-all', 'allow-frontend-to-backend', 'allow-ingress-to-frontend', 'allow-dns-egress'];
    await ctx.cmd({
      kind: 'observe',
      program: 'kubectl',
      args: ['get', 'networkpolicies', ...N],
      expect: (r) => [{ ok: names.every((n) => new RegExp(`^${n}\\s`, 'm').test(r.stdout)), what: `the 4 policies: ${names.join(', ')}` }],
    });
    await ctx.cmd({
      kind: 'observe',
      program: 'kubectl',
      args: ['exec', '-i', 'deployment/frontend', ...N, '--', 'curl', 'http://backend-clusterip', '--max-time', '5'],
      lab: `kubectl exec -it deployment/frontend -n ${NS} -- curl http://backend-clusterip --max-time 5`,
      why: NO_TTY_WHY,
      expect: (r) => [{ ok: r.code === 0 && helloPods(r.stdout).length === 1, what: 'the frontend reaches the backend' }],
    });
    await ctx.cmd({
      kind: 'observe',
      extra: true,
      program: 'kubectl',
      args: ['run', 'other-pod', '--image=busybox', '--rm', '-i', '--restart=Never', ...N, '--', 'wget', '-qO-', 'http://backend-clusterip', '--timeout=2'],
      why: '"other pods still cannot access backend directly": a pod that is not the frontend tries',
      expect: (r) => [{ ok: r.code !== 0 && /download timed out/.test(r.stdout + r.stderr), what: 'another pod’s request to the backend times out' }],
    });
    if (ctx.tools.kwire) {
      const ctl = (await ctx.quiet('kubectl', ['get', 'pods', '-n', 'ingress-nginx', '-l', 'app.kubernetes.io/component=controller', '-o', 'jsonpath={.items[0].metadata.name}'])).trim();
      const front = (await ctx.quiet('kubectl', ['get', 'pods', ...N, '-l', 'app=frontend', '-o', 'jsonpath={.items[0].metadata.name}'])).trim();
      await ctx.cmd({
        kind: 'observe',
        extra: true,
        program: 'kwire',
        args: ['explain', '--from', `ingress-nginx/${ctl}`, '--to', `${NS}/${front}`, '--port', '80'],
        why: 'allow-ingress-to-frontend admits namespaces labelled name=ingress-nginx, a label the ingress-nginx namespace does not carry (on kwire as on a real cluster): frontend.local no longer answers',
        expect: (r) => [{ ok: r.code === 0 && /\bDROPPED\b|\bdenied\b|\bdropped\b/i.test(r.stdout) && /allow-ingress-to-frontend/.test(r.stdout), what: 'kwire explain shows the ingress controller is dropped at the frontend' }],
      });
    }
  },
};

const step11: LabStep = {
  n: 11,
  title: 'Clean Up',
  outcome: 'the namespace and everything in it are gone; its NodePort and LoadBalancer IP are closed',
  async run(ctx) {
    const ip = ctx.mode === 'setup' ? '' : (await nodeIps(ctx))[0]!;
    await ctx.cmd({ kind: 'change', program: 'kubectl', args: ['delete', 'namespace', NS], timeoutMs: 90_000, expect: says('namespace "networking-lab" deleted') });
    if (ctx.mode === 'setup') return;
    ctx.notRun(
      "sudo sed -i '/frontend.local/d' /etc/hosts\nsudo sed -i '/backend.local/d' /etc/hosts\nsudo sed -i '/app.local/d' /etc/hosts",
      ctx.tools.kwire
        ? 'this run never edited /etc/hosts; lines added with `kwire hosts --write` come out with `kwire hosts --remove`'
        : 'this run never edited /etc/hosts',
    );
    await ctx.cmd({
      kind: 'observe',
      extra: true,
      compact: true,
      program: 'kubectl',
      args: ['get', 'namespace', NS],
      retry: { until: (r) => r.code !== 0 },
      expect: (r) => [{ ok: r.code !== 0 && /NotFound|not found/.test(r.stderr), what: 'the namespace is gone' }],
    });
    await ctx.cmd({
      kind: 'observe',
      extra: true,
      compact: true,
      program: 'curl',
      args: ['-s', '--max-time', '3', `http://${ip}:30080`],
      retry: { until: (r) => r.code !== 0, ms: 10_000 },
      expect: (r) => [{ ok: r.code === 7, what: `the NodePort ${ip}:30080 is closed (connection refused)` }],
    });
    const lb = ctx.state.get('lbIp');
    if (typeof lb === 'string') {
      await ctx.cmd({
        kind: 'observe',
        extra: true,
        compact: true,
        program: 'curl',
        args: ['-s', '--max-time', '3', `http://${lb}`],
        retry: { until: (r) => r.code !== 0, ms: 10_000 },
        expect: (r) => [{ ok: r.code === 7, what: `the LoadBalancer IP ${lb}:80 is closed (connection refused)` }],
      });
    }
  },
};

export const NETWORKING_LAB: Lab = {
  name: 'networking',
  title: 'Kubernetes Networking: Services, Ingress, and Network Policies',
  steps: [step1, step2, step3, step4, step5, step6, step7, step8, step9, step10, step11],
};
