/**
 * @module workloads/images/default-tools
 *
 * The ToolHost over the workloads' program registry (src/workloads/programs.ts):
 * busybox's applets and shell for `busybox`, busybox + curl for Alpine images
 * (`alpine-curl`: curlimages/curl, agnhost, nginx:alpine), a POSIX sh + curl +
 * coreutils basics for Debian images (`debian-curl`: nginx). Shells built here
 * find the image's own programs too (`sh -c "/agnhost connect ..."`).
 */
import type { Program } from '../process.js';
import { BUSYBOX_PROGRAMS, CURLIMAGES_PROGRAMS, DEBIAN_CURL_PROGRAMS } from '../programs.js';
import { makeShell } from '../busybox/sh/sh.js';
import type { ToolHost, ToolSet } from './types.js';

const SETS: Readonly<Record<ToolSet, Readonly<Record<string, Program>>>> = {
  busybox: BUSYBOX_PROGRAMS,
  'alpine-curl': CURLIMAGES_PROGRAMS,
  'debian-curl': DEBIAN_CURL_PROGRAMS,
};

/** The production ToolHost. */
export const workloadsToolHost: ToolHost = {
  programs: (set) => SETS[set],
  makeShell: (lookup) => makeShell(lookup),
};
