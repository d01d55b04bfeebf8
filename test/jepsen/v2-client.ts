// A minimal etcd v2 HTTP client over node:http for the Jepsen-style tests: one request with a
// hard timeout, classified by what it tells about the request's effect: an answer, refused (no
// connection was made, so kvd never saw it), timeout or lost (it may or may not have applied).
import http from 'node:http';

export type HttpResult =
  | {
      readonly kind: 'answer';
      readonly status: number;
      readonly body: Record<string, unknown> | null;
      /** X-Etcd-Index, when present. */
      readonly etcdIndex: number | null;
    }
  /** The connection was refused: the request never reached a kvd process. */
  | { readonly kind: 'refused' }
  /** No complete answer within the timeout (the request was abandoned). */
  | { readonly kind: 'timeout' }
  /** The connection failed after it was made: the request may or may not have applied. */
  | { readonly kind: 'lost'; readonly error: string };

export interface RequestOptions {
  readonly method: 'GET' | 'PUT' | 'DELETE' | 'POST';
  readonly form?: Record<string, string>;
  readonly json?: unknown;
  readonly timeoutMs: number;
  readonly agent?: http.Agent;
  /** Aborts the request early (answers 'timeout'). */
  readonly signal?: AbortSignal;
}

/** Largest answer body read; a bigger one is cut and reported as lost. */
const bodyBytesMax = 64 * 1024 * 1024;

export function httpRequest(url: string, options: RequestOptions): Promise<HttpResult> {
  const payload = options.form !== undefined ? new URLSearchParams(options.form).toString()
    : options.json !== undefined ? JSON.stringify(options.json) : null;
  const headers: Record<string, string> = {};
  if (payload !== null) {
    headers['content-type'] = options.form !== undefined ? 'application/x-www-form-urlencoded'
      : 'application/json';
    headers['content-length'] = String(Buffer.byteLength(payload));
  }
  return new Promise((resolve) => {
    let settled = false;
    const settle = (result: HttpResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      resolve(result);
    };
    const agent = options.agent ?? false;
    const request = http.request(url, { method: options.method, headers, agent });
    const onAbort = (): void => {
      settle({ kind: 'timeout' });
      request.destroy();
    };
    const timer = setTimeout(onAbort, options.timeoutMs);
    options.signal?.addEventListener('abort', onAbort);
    if (options.signal?.aborted === true) onAbort();
    request.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ECONNREFUSED') settle({ kind: 'refused' });
      else settle({ kind: 'lost', error: String(error.code ?? error.message) });
    });
    request.on('response', (response) => readAnswer(response, settle));
    if (payload !== null) request.write(payload);
    request.end();
  });
}

function readAnswer(response: http.IncomingMessage, settle: (result: HttpResult) => void): void {
  const chunks: Buffer[] = [];
  let bytes = 0;
  response.on('data', (chunk: Buffer) => {
    bytes += chunk.length;
    if (bytes > bodyBytesMax) {
      response.destroy();
      settle({ kind: 'lost', error: `answer over ${bodyBytesMax} bytes` });
    } else chunks.push(chunk);
  });
  response.on('error', (error) => settle({ kind: 'lost', error: error.message }));
  response.on('aborted', () => settle({ kind: 'lost', error: 'answer aborted' }));
  response.on('end', () => {
    const text = Buffer.concat(chunks).toString('utf8');
    let body: Record<string, unknown> | null = null;
    try {
      const parsed: unknown = JSON.parse(text);
      if (typeof parsed === 'object' && parsed !== null) body = parsed as Record<string, unknown>;
    } catch {
      body = null;
    }
    const header = response.headers['x-etcd-index'];
    const etcdIndex = typeof header === 'string' && /^\d+$/.test(header) ? Number(header) : null;
    settle({ kind: 'answer', status: response.statusCode ?? 0, body, etcdIndex });
  });
}

/** GET `url` as JSON; null on any failure. For status probes, never for recorded operations. */
export async function getJson(url: string, timeoutMs: number):
  Promise<Record<string, unknown> | null> {
  const result = await httpRequest(url, { method: 'GET', timeoutMs });
  return result.kind === 'answer' && result.status === 200 ? result.body : null;
}

/** The etcd errorCode of an answer body, or null. */
export function errorCodeOf(body: Record<string, unknown> | null): number | null {
  const code = body?.['errorCode'];
  return typeof code === 'number' ? code : null;
}

export interface V2Node {
  readonly key: string;
  readonly value?: string;
  readonly dir?: boolean;
  readonly modifiedIndex: number;
  readonly createdIndex: number;
  readonly nodes?: readonly V2Node[];
}

/** The `node` of an answer body, or null. */
export function nodeOf(body: Record<string, unknown> | null, field = 'node'): V2Node | null {
  const node = body?.[field];
  if (typeof node !== 'object' || node === null) return null;
  const candidate = node as Record<string, unknown>;
  return typeof candidate['key'] === 'string' ? (node as V2Node) : null;
}
