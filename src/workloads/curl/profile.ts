/**
 * @module workloads/curl/profile
 *
 * What differs between the curl builds the lab images carry: the version in
 * User-Agent, the -v trace lines, and error wording.
 *
 * | profile  | image                          | libc  |
 * | -------- | ------------------------------ | ----- |
 * | CURL_8   | curlimages/curl (Alpine)       | musl  |
 * | CURL_7   | nginx:1.21 (Debian bullseye)   | glibc |
 *
 * The libc (resolver behaviour) comes from the process context, not from here.
 */

export interface CurlProfile {
  /** "8.11.1" */
  readonly version: string;
  /** 8: "Host x:80 was resolved.", "using HTTP/1.x", "Request completely sent off"; 7: "Mark bundle..." */
  readonly generation: 7 | 8;
}

export const CURL_8: CurlProfile = { version: '8.11.1', generation: 8 };
export const CURL_7: CurlProfile = { version: '7.74.0', generation: 7 };

/** The "try --help" line after an option error. */
export function helpHint(p: CurlProfile): string {
  return p.generation === 8 ? "curl: try 'curl --help' for more information\n" : "curl: try 'curl --help' or 'curl --manual' for more information\n";
}
