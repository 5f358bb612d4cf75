/**
 * @module workloads/pod-files
 *
 * The files a container starts with: the ones the kubelet writes into every
 * container (/etc/resolv.conf, /etc/hosts, /etc/hostname) in the kubelet's
 * exact format, and the image's own /etc/passwd and /etc/group for the images
 * emulated here. Pure data; feed the result to createFileMap().
 */

export interface KubeletFilesInput {
  /** The pod IP (status.podIP). */
  readonly podIp: string;
  /** The pod hostname (spec.hostname or metadata.name). */
  readonly hostname: string;
  /** The pod's namespace, for the search list. */
  readonly namespace: string;
  /** cluster DNS Service IP; kind and kwire use 10.96.0.10. */
  readonly nameserver?: string;
  /** cluster domain, "cluster.local" by default. */
  readonly clusterDomain?: string;
  /** spec.subdomain: adds the pod's FQDN to /etc/hosts when set. */
  readonly subdomain?: string;
  /** spec.hostAliases. */
  readonly hostAliases?: ReadonlyArray<{ readonly ip: string; readonly hostnames: ReadonlyArray<string> }>;
  /** Extra search domains inherited from the node (kind adds none by default). */
  readonly extraSearch?: ReadonlyArray<string>;
}

/** /etc/resolv.conf as the kubelet writes it for dnsPolicy ClusterFirst. */
export function kubeletResolvConf(input: KubeletFilesInput): string {
  const domain = input.clusterDomain ?? 'cluster.local';
  const search = [`${input.namespace}.svc.${domain}`, `svc.${domain}`, domain, ...(input.extraSearch ?? [])];
  return `search ${search.join(' ')}\nnameserver ${input.nameserver ?? '10.96.0.10'}\noptions ndots:5\n`;
}

/** /etc/hosts as the kubelet writes it ("Kubernetes-managed hosts file."). */
export function kubeletHosts(input: KubeletFilesInput): string {
  const domain = input.clusterDomain ?? 'cluster.local';
  let s =
    '# Kubernetes-managed hosts file.\n' +
    '127.0.0.1\tlocalhost\n' +
    '::1\tlocalhost ip6-localhost ip6-loopback\n' +
    'fe00::0\tip6-localnet\n' +
    'fe00::0\tip6-mcastprefix\n' +
    'fe00::1\tip6-allnodes\n' +
    'fe00::2\tip6-allrouters\n';
  if (input.subdomain) {
    s += `${input.podIp}\t${input.hostname}.${input.subdomain}.${input.namespace}.svc.${domain}\t${input.hostname}\n`;
  } else {
    s += `${input.podIp}\t${input.hostname}\n`;
  }
  if (input.hostAliases?.length) {
    s += '\n# Entries added by HostAliases.\n';
    for (const a of input.hostAliases) s += `${a.ip}\t${a.hostnames.join('\t')}\n`;
  }
  return s;
}

/** The three kubelet-managed files, keyed by path. */
export function kubeletFiles(input: KubeletFilesInput): Record<string, string> {
  return {
    '/etc/resolv.conf': kubeletResolvConf(input),
    '/etc/hosts': kubeletHosts(input),
    '/etc/hostname': `${input.hostname}\n`,
  };
}

/** /etc/passwd and /etc/group of the busybox image (root is in group wheel). */
export const BUSYBOX_IMAGE_FILES: Readonly<Record<string, string>> = {
  '/etc/passwd':
    'root:x:0:0:root:/root:/bin/sh\n' +
    'daemon:x:1:1:daemon:/usr/sbin:/bin/false\n' +
    'bin:x:2:2:bin:/bin:/bin/false\n' +
    'sys:x:3:3:sys:/dev:/bin/false\n' +
    'sync:x:4:100:sync:/bin:/bin/sync\n' +
    'mail:x:8:8:mail:/var/spool/mail:/bin/false\n' +
    'www-data:x:33:33:www-data:/var/www:/bin/false\n' +
    'operator:x:37:37:Operator:/var:/bin/false\n' +
    'nobody:x:65534:65534:nobody:/home:/bin/false\n',
  '/etc/group':
    'root:x:0:\n' +
    'daemon:x:1:\n' +
    'bin:x:2:\n' +
    'sys:x:3:\n' +
    'adm:x:4:\n' +
    'tty:x:5:\n' +
    'disk:x:6:\n' +
    'lp:x:7:\n' +
    'mail:x:8:\n' +
    'kmem:x:9:\n' +
    'wheel:x:10:root\n' +
    'cdrom:x:11:\n' +
    'dialout:x:18:\n' +
    'floppy:x:19:\n' +
    'video:x:28:\n' +
    'audio:x:29:\n' +
    'tape:x:32:\n' +
    'www-data:x:33:\n' +
    'operator:x:37:\n' +
    'utmp:x:43:\n' +
    'plugdev:x:46:\n' +
    'staff:x:50:\n' +
    'lock:x:54:\n' +
    'netdev:x:82:\n' +
    'users:x:100:\n' +
    'nogroup:x:65534:\n',
};

/** /etc/passwd and /etc/group of curlimages/curl (Alpine; runs as curl_user 100:101). */
export const CURLIMAGES_IMAGE_FILES: Readonly<Record<string, string>> = {
  '/etc/passwd':
    'root:x:0:0:root:/root:/bin/sh\n' +
    'bin:x:1:1:bin:/bin:/sbin/nologin\n' +
    'daemon:x:2:2:daemon:/sbin:/sbin/nologin\n' +
    'nobody:x:65534:65534:nobody:/:/sbin/nologin\n' +
    'curl_user:x:100:101:Linux User,,,:/home/curl_user:/sbin/nologin\n',
  '/etc/group':
    'root:x:0:root\n' +
    'bin:x:1:root,bin,daemon\n' +
    'daemon:x:2:root,bin,daemon\n' +
    'wheel:x:10:root\n' +
    'nogroup:x:65533:\n' +
    'nobody:x:65534:\n' +
    'curl_group:x:101:curl_user\n',
};
