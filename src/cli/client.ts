// kvctl's HTTP client: an ordered list of endpoints with failover, a per-request timeout, and
// JSON answers. A request that surely never reached a member (connection refused, no route)
// moves on to the next endpoint; one that may have reached it (timeout, reset) moves on only
// when it is a GET, since repeating a write elsewhere could apply it twice. The endpoint that
// answered last is tried first next time. Imports http-send and exit-codes.
import { UnreachableError, UsageError } from './exit-codes.js';
import { send, SendFailure, type RawReply } from './http-send.js';

export type ParamValue = string | number | boolean | undefined;
export type Params = Readonly<Record<string, ParamValue>>;

export interface RequestSpec {
  readonly method: 'GET' | 'PUT' | 'POST' | 'DELETE';
  /** Path with its leading slash, already escaped: `/v2/keys/a%20b`. */
  readonly path: string;
  readonly query?: Params;
  /** Sent as an x-www-form-urlencoded body. */
  readonly form?: Params;
  /** Sent as a JSON body (members API). */
  readonly json?: unknown;
  /** Overrides the client's timeout; null waits forever (watches). */
  readonly timeoutMs?: number | null;
  /** Cancels the request; the abort reason is rethrown as-is, with no failover. */
  readonly signal?: AbortSignal;
}

export interface HttpReply extends RawReply {
  readonly endpoint: string;
  readonly latencyMs: number;
}

export interface ClientOptions {
  readonly endpoints: readonly string[];
  readonly timeoutMs: number;
}

export class KvClient {
  readonly endpoints: readonly string[];
  readonly timeoutMs: number;
  private preferred = 0;

  constructor(options: ClientOptions) {
    if (options.endpoints.length === 0) throw new UsageError('--endpoints: no endpoint given');
    this.endpoints = options.endpoints.map(normalizeEndpoint);
    this.timeoutMs = options.timeoutMs;
  }

  /** The same cluster with the endpoint order rotated by `by` (verify spreads its clients). */
  rotated(by: number): KvClient {
    const n = this.endpoints.length;
    const order = this.endpoints.map((_, i) => this.endpoints[(i + by) % n]!);
    return new KvClient({ endpoints: order, timeoutMs: this.timeoutMs });
  }

  /** Sends `spec` to the preferred endpoint, failing over as described at the top. */
  async request(spec: RequestSpec): Promise<HttpReply> {
    const failures: string[] = [];
    const n = this.endpoints.length;
    for (let attempt = 0; attempt < n; attempt++) {
      const index = (this.preferred + attempt) % n;
      const endpoint = this.endpoints[index]!;
      try {
        const reply = await this.requestAt(endpoint, spec);
        this.preferred = index;
        return reply;
      } catch (error) {
        if (!(error instanceof SendFailure)) throw error;
        failures.push(`${endpoint}: ${error.reason}`);
        if (error.sent && spec.method !== 'GET') {
          throw new UnreachableError(
            `${spec.method} ${spec.path} at ${endpoint} failed after it was sent ` +
              `(${error.reason}): it may or may not have taken effect`,
          );
        }
      }
    }
    this.preferred = (this.preferred + 1) % n;
    throw new UnreachableError(`no endpoint answered (${failures.join('; ')})`);
  }

  /** Sends `spec` to `endpoint` only; rejects with a SendFailure when it cannot be reached. */
  async requestAt(endpoint: string, spec: RequestSpec): Promise<HttpReply> {
    const url = new URL(endpoint + spec.path);
    for (const [name, value] of paramEntries(spec.query)) url.searchParams.set(name, value);
    const headers: Record<string, string> = { accept: 'application/json' };
    let body: string | undefined;
    if (spec.form !== undefined) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(paramEntries(spec.form)).toString();
    } else if (spec.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(spec.json);
    }
    const started = performance.now();
    const timeoutMs = spec.timeoutMs === undefined ? this.timeoutMs : spec.timeoutMs;
    const signal = spec.signal;
    const reply = await send(url, {
      method: spec.method,
      headers,
      timeoutMs,
      ...(body !== undefined ? { body } : {}),
      ...(signal !== undefined ? { signal } : {}),
    });
    return { ...reply, endpoint, latencyMs: performance.now() - started };
  }
}

/** `127.0.0.1:2379` -> `http://127.0.0.1:2379`; drops a trailing slash; rejects non-URLs. */
export function normalizeEndpoint(text: string): string {
  const trimmed = text.trim().replace(/\/+$/, '');
  const withScheme = /^[a-z]+:\/\//i.test(trimmed) ? trimmed : `http://${trimmed}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new UsageError(`--endpoints: "${text}" is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`--endpoints: "${text}" is not an http(s) URL`);
  }
  return withScheme;
}

/** Splits a comma-separated --endpoints value. */
export function parseEndpoints(text: string): string[] {
  return text
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '')
    .map(normalizeEndpoint);
}

/** Parses a JSON body; undefined when the body is not JSON (Go's text pages, empty bodies). */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

export function headerNumber(reply: RawReply, name: string): number | undefined {
  const value = reply.headers[name.toLowerCase()];
  const text = Array.isArray(value) ? value[0] : value;
  if (text === undefined || text === '') return undefined;
  const number = Number(text);
  return Number.isFinite(number) ? number : undefined;
}

function paramEntries(params: Params | undefined): [string, string][] {
  const entries: [string, string][] = [];
  for (const [name, value] of Object.entries(params ?? {})) {
    if (value !== undefined) entries.push([name, String(value)]);
  }
  return entries;
}
