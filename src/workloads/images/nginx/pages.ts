/**
 * @module workloads/images/nginx/pages
 *
 * The bytes the nginx image ships and the pages nginx generates: the default
 * index.html (615 bytes) and 50x.html (497 bytes) of /usr/share/nginx/html,
 * /etc/nginx/nginx.conf and conf.d/default.conf as the image has them, and
 * the built-in error pages ("<html>\r\n<head><title>404 Not Found</title>...
 * <hr><center>nginx/1.21.6</center>..."). Shared Buffers: never mutate.
 */

export const INDEX_HTML = Buffer.from(
  '<!DOCTYPE html>\n<html>\n<head>\n<title>Welcome to nginx!</title>\n<style>\n' +
    'html { color-scheme: light dark; }\n' +
    'body { width: 35em; margin: 0 auto;\nfont-family: Tahoma, Verdana, Arial, sans-serif; }\n' +
    '</style>\n</head>\n<body>\n<h1>Welcome to nginx!</h1>\n' +
    '<p>If you see this page, the nginx web server is successfully installed and\n' +
    'working. Further configuration is required.</p>\n\n' +
    '<p>For online documentation and support please refer to\n' +
    '<a href="http://nginx.org/">nginx.org</a>.<br/>\n' +
    'Commercial support is available at\n' +
    '<a href="http://nginx.com/">nginx.com</a>.</p>\n\n' +
    '<p><em>Thank you for using nginx.</em></p>\n</body>\n</html>\n',
);

export const FIFTY_X_HTML = Buffer.from(
  '<!DOCTYPE html>\n<html>\n<head>\n<title>Error</title>\n<style>\n' +
    'html { color-scheme: light dark; }\n' +
    'body { width: 35em; margin: 0 auto;\nfont-family: Tahoma, Verdana, Arial, sans-serif; }\n' +
    '</style>\n</head>\n<body>\n<h1>An error occurred.</h1>\n' +
    '<p>Sorry, the page you are looking for is currently unavailable.<br/>\n' +
    'Please try again later.</p>\n' +
    '<p>If you are the system administrator of this resource then you should check\n' +
    'the error log for details.</p>\n' +
    '<p><em>Faithfully yours, nginx.</em></p>\n</body>\n</html>\n',
);

export const NGINX_CONF = Buffer.from(
  '\nuser  nginx;\nworker_processes  auto;\n\n' +
    'error_log  /var/log/nginx/error.log notice;\npid        /var/run/nginx.pid;\n\n\n' +
    'events {\n    worker_connections  1024;\n}\n\n\n' +
    'http {\n    include       /etc/nginx/mime.types;\n    default_type  application/octet-stream;\n\n' +
    "    log_format  main  '$remote_addr - $remote_user [$time_local] \"$request\" '\n" +
    "                      '$status $body_bytes_sent \"$http_referer\" '\n" +
    "                      '\"$http_user_agent\" \"$http_x_forwarded_for\"';\n\n" +
    '    access_log  /var/log/nginx/access.log  main;\n\n' +
    '    sendfile        on;\n    #tcp_nopush     on;\n\n    keepalive_timeout  65;\n\n    #gzip  on;\n\n' +
    '    include /etc/nginx/conf.d/*.conf;\n}\n',
);

export const DEFAULT_CONF = Buffer.from(
  'server {\n    listen       80;\n    listen  [::]:80;\n    server_name  localhost;\n\n' +
    '    #access_log  /var/log/nginx/host.access.log  main;\n\n' +
    '    location / {\n        root   /usr/share/nginx/html;\n        index  index.html index.htm;\n    }\n\n' +
    '    #error_page  404              /404.html;\n\n' +
    '    # redirect server error pages to the static page /50x.html\n    #\n' +
    '    error_page   500 502 503 504  /50x.html;\n    location = /50x.html {\n        root   /usr/share/nginx/html;\n    }\n}\n',
);

/** nginx's reason phrases (ngx_http_status_lines). */
export const NGINX_STATUS: Readonly<Record<number, string>> = {
  200: 'OK',
  206: 'Partial Content',
  301: 'Moved Permanently',
  302: 'Moved Temporarily',
  304: 'Not Modified',
  400: 'Bad Request',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Not Allowed',
  408: 'Request Time-out',
  413: 'Request Entity Too Large',
  414: 'Request-URI Too Large',
  416: 'Requested Range Not Satisfiable',
  500: 'Internal Server Error',
  501: 'Not Implemented',
  502: 'Bad Gateway',
  503: 'Service Temporarily Unavailable',
  504: 'Gateway Time-out',
};

const pageCache = new Map<string, Buffer>();

/** The built-in error page for `status` of nginx `version` (cached: shared by every pod). */
export function errorPage(status: number, version: string): Buffer {
  const key = `${status}/${version}`;
  let page = pageCache.get(key);
  if (!page) {
    const title = `${status} ${NGINX_STATUS[status] ?? ''}`;
    page = Buffer.from(
      `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n` +
        `<hr><center>nginx/${version}</center>\r\n</body>\r\n</html>\r\n`,
    );
    pageCache.set(key, page);
  }
  return page;
}

const MIME: Readonly<Record<string, string>> = {
  html: 'text/html', htm: 'text/html', shtml: 'text/html',
  css: 'text/css', xml: 'text/xml', gif: 'image/gif', jpeg: 'image/jpeg', jpg: 'image/jpeg',
  js: 'application/javascript', atom: 'application/atom+xml', rss: 'application/rss+xml',
  txt: 'text/plain', png: 'image/png', svg: 'image/svg+xml', svgz: 'image/svg+xml', ico: 'image/x-icon',
  webp: 'image/webp', json: 'application/json', pdf: 'application/pdf', zip: 'application/zip',
  woff: 'font/woff', woff2: 'font/woff2', mp4: 'video/mp4', mp3: 'audio/mpeg', wasm: 'application/wasm',
  tar: 'application/x-tar', gz: 'application/octet-stream', bin: 'application/octet-stream',
};

/** /etc/nginx/mime.types lookup by extension; default_type application/octet-stream. */
export function mimeType(path: string): string {
  const base = path.slice(path.lastIndexOf('/') + 1);
  const dot = base.lastIndexOf('.');
  if (dot <= 0) return 'application/octet-stream';
  return MIME[base.slice(dot + 1).toLowerCase()] ?? 'application/octet-stream';
}
