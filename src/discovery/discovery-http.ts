// One HTTP exchange with a discovery service (node:http, no pooling, no automatic redirects)
// and its classification the way etcd's v2 client judges it: 200/201 with an etcd JSON body is
// an answer; 5xx and connection trouble are transient; a JSON etcd error is the service's word;
// anything else means the URL is not a discovery service. Imports nothing from kvd.
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';

/** An etcd v2 node as the discovery client reads it. */
export interface WireNode {
  readonly key?: string;
  readonly value?: string;
  readonly dir?: boolean;
  readonly nodes?: readonly WireNode[];
  readonly createdIndex?: number;
  readonly modifiedIndex?: number;
}

export interface WireEvent {
  readonly action?: string;
  readonly node?: WireNode;
}

export interface WireError {
  readonly errorCode: number;
  readonly message: string;
  readonly cause?: string;
  readonly index?: number;
}

export type Outcome =
  | {
    readonly kind: 'ok'; readonly status: number; readonly event: WireEvent;
    readonly etcdIndex: number | null;
  }
  | { readonly kind: 'etcd-error'; readonly status: number; readonly error: WireError }
  | { readonly kind: 'transient'; readonly reason: string }
  | { readonly kind: 'not-etcd'; readonly status: number; readonly summary: string }
  /** Only when the caller set `timeoutIsQuiet`: a long-poll ended without news. */
  | { readonly kind: 'quiet' };

export interface ExchangeOptions {
  readonly method: 'GET' | 'PUT';
  readonly url: URL;
  /** A form body (PUT). */
  readonly form?: Record<string, string>;
  /** Abort after this long; null: wait as long as it takes. */
  readonly timeoutMs: number | null;
  /** A timeout is a `quiet` outcome (a long-poll), not a transient failure. */
  readonly timeoutIsQuiet?: boolean;
}

const bodyBytesMax = 4 * 1024 * 1024;

export async function exchange(options: ExchangeOptions): Promise<Outcome> {
  let answer: RawAnswer;
  try {
    answer = await send(options);
  } catch (error) {
    if (error instanceof TimeoutError) {
      if (options.timeoutIsQuiet === true) return { kind: 'quiet' };
      return { kind: 'transient', reason: `no answer within ${options.timeoutMs} ms` };
    }
    return { kind: 'transient', reason: describeNetworkError(error) };
  }
  return classify(answer);
}

interface RawAnswer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** Judges a raw answer as etcd's v2 client would (exported for unit tests). */
export function classify(answer: RawAnswer): Outcome {
  const { status, headers, body } = answer;
  const json = parseJson(body);
  if (status >= 500) {
    const detail = isErrorJson(json) ? `${json.errorCode}: ${json.message}` : firstLine(body);
    return { kind: 'transient', reason: `server error ${status}${detail ? ` (${detail})` : ''}` };
  }
  if ((status === 200 || status === 201) && json !== null && typeof json === 'object'
    && typeof (json as WireEvent).node === 'object' && (json as WireEvent).node !== null) {
    const header = Number(headers['x-etcd-index']);
    const etcdIndex = Number.isSafeInteger(header) && header >= 0 ? header : null;
    return { kind: 'ok', status, event: json as WireEvent, etcdIndex };
  }
  if (isErrorJson(json)) return { kind: 'etcd-error', status, error: json };
  const type = String(headers['content-type'] ?? 'no content type').split(';')[0];
  const summary = `${status} ${type} "${firstLine(body).slice(0, 60)}"`;
  return { kind: 'not-etcd', status, summary };
}

class TimeoutError extends Error {}

function send(options: ExchangeOptions): Promise<RawAnswer> {
  const { url, method } = options;
  const body = options.form && new URLSearchParams(options.form).toString();
  const requestFn = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      headers['content-length'] = String(Buffer.byteLength(body));
    }
    const req = requestFn(url, { method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > bodyBytesMax) req.destroy(new Error(`answer larger than ${bodyBytesMax} bytes`));
        else chunks.push(chunk);
      });
      res.on('end', () => {
        clearTimeout(timer);
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text });
      });
      res.on('error', reject);
    });
    const timer = options.timeoutMs === null ? undefined
      : setTimeout(() => req.destroy(new TimeoutError()), options.timeoutMs);
    req.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    req.end(body);
  });
}

function parseJson(body: string): unknown {
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return null;
  }
}

function isErrorJson(json: unknown): json is WireError {
  return json !== null && typeof json === 'object'
    && typeof (json as WireError).errorCode === 'number';
}

function firstLine(text: string): string {
  return text.trim().split('\n')[0] ?? '';
}

function describeNetworkError(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (error instanceof AggregateError && error.errors.length > 0) {
      return describeNetworkError(error.errors[0]);
    }
    if (code !== undefined && !error.message.includes(code)) return `${code}: ${error.message}`;
    return error.message;
  }
  return String(error);
}
