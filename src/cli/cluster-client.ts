/**
 * @module cli/cluster-client
 * What `kwire service`, `kwire hosts` and `kwire addons` share: where a command
 * writes (`CommandIO`, so tests capture it), which cluster it means (`--name`,
 * else `$KWIRE_CLUSTER`, else "kwire"), a JSON request with a body (GET comes
 * from policy-client.ts), and the common error handling (usage 2, failure 1,
 * server errors printed as kubectl prints them).
 */
import { request } from 'node:https';
import { ApiError } from '../errors.js';
import { UsageError } from './args.js';
import { ClientError, ServerError, type ApiTarget } from './policy-client.js';

export interface CommandIO {
  readonly stdout: (s: string) => void;
  readonly stderr: (s: string) => void;
  readonly env: NodeJS.ProcessEnv;
}

export const processCommandIO: CommandIO = {
  stdout: (s) => void process.stdout.write(s),
  stderr: (s) => void process.stderr.write(s),
  env: process.env,
};

const CLUSTER_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export function clusterNameOf(flag: string | undefined, env: NodeJS.ProcessEnv): string {
  const n = flag ?? env['KWIRE_CLUSTER'] ?? 'kwire';
  if (!CLUSTER_NAME.test(n) || n.length > 40) throw new UsageError(`invalid cluster name "${n}": use lower case letters, digits and '-'`);
  return n;
}

function statusError(code: number, body: string): ServerError {
  try {
    const s = JSON.parse(body) as { kind?: unknown; reason?: unknown; message?: unknown };
    if (s.kind === 'Status' && typeof s.message === 'string') return new ServerError(code, typeof s.reason === 'string' ? s.reason : 'Unknown', s.message);
  } catch {
    /* not a Status */
  }
  return new ServerError(code, 'Unknown', `the server answered ${code}: ${body.trim().slice(0, 200)}`);
}

/** Sends a JSON body (PATCH/PUT/POST) and returns the JSON answer; a Status is a ServerError. */
export function sendJson(target: ApiTarget, method: string, path: string, body: unknown, contentType = 'application/json'): Promise<unknown> {
  return sendBody(target, method, path, Buffer.from(JSON.stringify(body)), contentType);
}

/** Sends `data` as is (`path` may carry a query) and returns the JSON answer; a Status is a ServerError. */
export function sendBody(target: ApiTarget, method: string, path: string, data: Buffer, contentType: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const req = request(
      new URL(path, target.url),
      { method, ca: target.ca, cert: target.cert, key: target.key, headers: { Accept: 'application/json', 'Content-Type': contentType, 'Content-Length': data.length } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const code = res.statusCode ?? 0;
          if (code >= 400) return reject(statusError(code, text));
          try {
            resolve(JSON.parse(text));
          } catch {
            reject(new ClientError('the server sent invalid JSON'));
          }
        });
      },
    );
    req.on('error', (e: NodeJS.ErrnoException) => reject(new ClientError(`cannot reach the API server of cluster "${target.cluster}" at ${target.url} (${e.code ?? e.message}); is it running? (\`kwire status\`)`)));
    req.end(data);
  });
}

/** Runs a command body: `--help` prints the usage; errors become messages and exit codes. */
export async function runCommand(cmd: string, io: CommandIO, usage: string, argv: ReadonlyArray<string>, body: () => Promise<number>): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    io.stdout(usage);
    return 0;
  }
  try {
    return await body();
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr(`kwire ${cmd}: ${e.message}\n\n${usage}`);
      return 2;
    }
    if (e instanceof ServerError) {
      io.stderr(`${e.display}\n`);
      return 1;
    }
    // ApiError: an offline answer (no server), the engine's refusal worded as the server would.
    if (e instanceof ClientError || e instanceof ApiError) {
      io.stderr(`kwire ${cmd}: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
