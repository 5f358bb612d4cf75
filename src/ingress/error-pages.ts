/**
 * @module ingress/error-pages
 * nginx's built-in responses, byte for byte as ingress-nginx sends them
 * (`server_tokens off`, so the tail says just "nginx"; no `Server` header, which
 * ingress-nginx clears): the status line's reason phrase and the HTML page of
 * `ngx_http_special_response.c`, CRLF line ends. 494 is nginx's "request header
 * too large", sent as 400 with its own page. No I/O.
 */

const CRLF = '\r\n';
const TAIL = `<hr><center>nginx</center>${CRLF}</body>${CRLF}</html>${CRLF}`;

/** The reason phrases nginx puts on its status lines. */
const REASONS: Readonly<Record<number, string>> = {
  301: 'Moved Permanently',
  302: 'Moved Temporarily',
  303: 'See Other',
  307: 'Temporary Redirect',
  308: 'Permanent Redirect',
  400: 'Bad Request',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Not Allowed',
  408: 'Request Time-out',
  413: 'Request Entity Too Large',
  414: 'Request-URI Too Large',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Temporarily Unavailable',
  504: 'Gateway Time-out',
};

/** Page titles where they differ from the status line (nginx's 302 page says "Found"). */
const TITLES: Readonly<Record<number, string>> = { 302: 'Found', 405: 'Not Allowed' };

export interface NginxPage {
  readonly status: number;
  readonly reason: string;
  readonly body: string;
}

/** The page nginx sends for `status` (494: request header too large, sent as 400). */
export function nginxPage(status: number): NginxPage {
  if (status === 494) {
    const body =
      `<html>${CRLF}<head><title>400 Request Header Or Cookie Too Large</title></head>${CRLF}<body>${CRLF}` +
      `<center><h1>400 Bad Request</h1></center>${CRLF}<center>Request Header Or Cookie Too Large</center>${CRLF}` +
      TAIL;
    return { status: 400, reason: REASONS[400]!, body };
  }
  const reason = REASONS[status] ?? 'Unknown';
  const title = `${status} ${TITLES[status] ?? reason}`;
  const body = `<html>${CRLF}<head><title>${title}</title></head>${CRLF}<body>${CRLF}<center><h1>${title}</h1></center>${CRLF}${TAIL}`;
  return { status, reason, body };
}

/** The reason phrase nginx would use, or undefined to keep the upstream's. */
export function nginxReason(status: number): string | undefined {
  return REASONS[status];
}

/** A whole raw HTTP/1.1 response (for sockets that left node:http: client errors, upgrades). */
export function rawNginxResponse(status: number, opts: { head?: boolean; extraHeaders?: ReadonlyArray<readonly [string, string]> } = {}): string {
  const p = nginxPage(status);
  const lines = [
    `HTTP/1.1 ${p.status} ${p.reason}`,
    `Date: ${new Date().toUTCString()}`,
    'Content-Type: text/html',
    `Content-Length: ${Buffer.byteLength(p.body)}`,
    'Connection: close',
    ...(opts.extraHeaders ?? []).map(([k, v]) => `${k}: ${v}`),
  ];
  return lines.join(CRLF) + CRLF + CRLF + (opts.head ? '' : p.body);
}
