/**
 * @module workloads/images/base-images
 *
 * What the emulated images share with their base images: the default PATH,
 * /etc/passwd of scratch, distroless, Alpine and Debian bases, the busybox
 * applet names (the real busybox 1.36/1.37 list, so a name kwire does not
 * emulate says "not emulated" rather than "not found"), the command names a
 * Debian base has, and tag -> version helpers. Constants are shared by every
 * container (no per-pod copies).
 */
import type { ImageReference } from './types.js';

/** The PATH containerd gives images that set none, and that most images set. */
export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** gcr.io/distroless/static:nonroot. */
export const DISTROLESS_FILES: Readonly<Record<string, string>> = {
  '/etc/passwd': 'root:x:0:0:root:/root:/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n',
  '/etc/group': 'root:x:0:\nnobody:x:65534:\nnonroot:x:65532:\n',
};

/** Alpine's base /etc/passwd and /etc/group (agnhost, nginx:alpine). */
export const ALPINE_FILES: Readonly<Record<string, string>> = {
  '/etc/passwd':
    'root:x:0:0:root:/root:/bin/sh\nbin:x:1:1:bin:/bin:/sbin/nologin\ndaemon:x:2:2:daemon:/sbin:/sbin/nologin\n' +
    'nobody:x:65534:65534:nobody:/:/sbin/nologin\n',
  '/etc/group': 'root:x:0:root\nbin:x:1:root,bin,daemon\ndaemon:x:2:root,bin,daemon\nwheel:x:10:root\nnobody:x:65534:\n',
};

/** Debian's base /etc/passwd and /etc/group, with the nginx user of the nginx image. */
export const DEBIAN_NGINX_FILES: Readonly<Record<string, string>> = {
  '/etc/passwd':
    'root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\nbin:x:2:2:bin:/bin:/usr/sbin/nologin\n' +
    'sys:x:3:3:sys:/dev:/usr/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n' +
    'nginx:x:101:101:nginx user:/nonexistent:/bin/false\n',
  '/etc/group': 'root:x:0:\ndaemon:x:1:\nbin:x:2:\nsys:x:3:\nnogroup:x:65534:\nnginx:x:101:\n',
};

/** busybox's applets (1.36/1.37 defconfig), as linked in /bin of the busybox image. */
export const BUSYBOX_APPLET_NAMES: ReadonlySet<string> = new Set(
  (
    '[ [[ addgroup adduser ar arch arp arping ash awk base32 base64 basename bc beep blkdiscard blkid blockdev brctl ' +
    'bunzip2 bzcat bzip2 cal cat chat chattr chgrp chmod chown chpasswd chpst chroot chrt chvt cksum clear cmp comm ' +
    'cp cpio crc32 crond crontab cryptpw cut date dc dd delgroup deluser depmod devmem df diff dirname dmesg dnsd ' +
    'dnsdomainname dos2unix du dumpkmap echo ed egrep eject env envdir envuidgid ether-wake expand expr factor ' +
    'fallocate false fatattr fdflush fdformat fdisk fgconsole fgrep find findfs flock fold free freeramdisk fsck ' +
    'fsfreeze fstrim fsync ftpd ftpget ftpput fuser getopt getty grep groups gunzip gzip halt hd hdparm head hexdump ' +
    'hexedit hostid hostname httpd hush hwclock id ifconfig ifdown ifup inetd init insmod install ionice iostat ip ' +
    'ipaddr ipcalc ipcrm ipcs iplink ipneigh iproute iprule iptunnel kill killall killall5 klogd last less link ' +
    'linux32 linux64 ln loadfont loadkmap logger login logname logread losetup ls lsattr lsmod lsof lspci lsscsi ' +
    'lsusb lzcat lzma lzop md5sum mdev mesg microcom mim mkdir mkdosfs mke2fs mkfifo mknod mkpasswd mkswap mktemp ' +
    'modinfo modprobe more mount mountpoint mpstat mt mv nameif nbd-client nc netstat nice nl nmeter nohup nologin ' +
    'nproc nsenter nslookup ntpd nuke od openvt partprobe passwd paste patch pgrep pidof ping ping6 pipe_progress ' +
    'pivot_root pkill pmap poweroff printenv printf ps pscan pstree pwd pwdx raidautorun rdate rdev readahead ' +
    'readlink readprofile realpath reboot renice reset resize resume rev rm rmdir rmmod route rpm rpm2cpio rtcwake ' +
    'run-parts runlevel runsv runsvdir rx script scriptreplay sed seedrng sendmail seq setarch setconsole setfattr ' +
    'setfont setkeycodes setlogcons setpriv setserial setsid setuidgid sh sha1sum sha256sum sha3sum sha512sum ' +
    'showkey shred shuf slattach sleep smemcap softlimit sort split ssl_client start-stop-daemon stat strings stty ' +
    'su sulogin sum sv svc svlogd svok swapoff swapon switch_root sync sysctl syslogd tac tail tar taskset tc tcpsvd ' +
    'tee telnet telnetd test tftp tftpd time timeout top touch tr traceroute traceroute6 tree true truncate ts tty ' +
    'ttysize tunctl udhcpc udhcpc6 udhcpd udpsvd uevent umount uname unexpand uniq unix2dos unlink unlzma unshare ' +
    'unxz unzip uptime users usleep uudecode uuencode vconfig vi vlock volname w wall watch watchdog wc wget which ' +
    'who whoami whois xargs xxd xz xzcat yes zcat zcip'
  ).split(' '),
);

/** Shell names of busybox-based images. */
export const BUSYBOX_SHELLS: ReadonlySet<string> = new Set(['sh', 'ash', 'hush']);

/** Commands of a Debian base in /bin (bookworm merges /bin into /usr/bin; both spellings work through PATH). */
export const DEBIAN_BIN_NAMES: ReadonlySet<string> = new Set(
  ('bash cat chgrp chmod chown cp dash date dd df dir dmesg echo egrep false fgrep findmnt grep gunzip gzip hostname ' +
    'ln login ls lsblk mkdir mknod mktemp more mount mountpoint mv pidof pwd readlink rm rmdir run-parts sed sh sleep ' +
    'stty su sync tar tempfile touch true umount uname uncompress vdir wdctl zcat').split(' '),
);

/** Commands of a Debian base (plus curl in the nginx image) in /usr/bin. */
export const DEBIAN_USR_BIN_NAMES: ReadonlySet<string> = new Set(
  ('[ awk base64 basename cksum comm csplit curl cut diff dirname du env expand expr factor find fmt fold getent ' +
    'groups head id install join logname md5sum mawk mkfifo nice nl nohup nproc numfmt od openssl paste pathchk ' +
    'perl pinky pr printenv printf ptx realpath runcon seq sha1sum sha256sum sha512sum shred shuf sort split stat ' +
    'stdbuf sum tac tail tee test timeout tr truncate tsort tty unexpand uniq unlink users wc which who whoami xargs ' +
    'yes').split(' '),
);

/** Shell names of the Debian-based images. */
export const DEBIAN_SHELLS: ReadonlySet<string> = new Set(['sh', 'bash', 'dash', 'rbash']);

/** The tag, `latest` when the reference is pinned by digest only. */
export function tagOf(ref: ImageReference): string {
  return ref.tag ?? 'latest';
}

/** "1.21" -> "1.21.6" through `table`; a full x.y.z is taken as is; anything else -> undefined. */
export function versionFromTag(tag: string, table: Readonly<Record<string, string>>): string | undefined {
  const known = table[tag];
  if (known !== undefined) return known;
  const m = /^v?(\d+\.\d+\.\d+)(?:$|-)/.exec(tag);
  return m ? m[1] : undefined;
}
