// The differential scenarios' vocabulary: a scenario is a short list of HTTP steps run in
// order against one server, under its own key prefix. Paths starting with '~' are keys under
// that prefix ('~/a' is /v2/keys/<prefix>/a); '{+N}' is the scenario's starting etcd index
// plus N, '{k+N}' the same as a 20-digit in-order key name.

export type Mask =
  /** Compare everything (indexes relative, times masked). */
  | 'exact'
  /** Compare status, headers and the body's shape: every leaf value replaced by its type. */
  | 'shape';

export interface HttpStep {
  readonly kind: 'http';
  readonly method: string;
  readonly path: string;
  readonly body?: string;
  /** The Content-Type header; null sends none. Default: form-encoded when there is a body. */
  readonly contentType?: string | null;
  readonly mask?: Mask;
  /** Run but not compared (setup). */
  readonly quiet?: boolean;
}

/** Opens a watch (or any request) and waits for its head only. */
export interface OpenStep {
  readonly kind: 'open';
  readonly id: string;
  readonly path: string;
  readonly method?: string;
}

/** Reads an open request's answer: until it ends, `lines` lines come, or `waitMs` pass. */
export interface CollectStep {
  readonly kind: 'collect';
  readonly id: string;
  readonly lines?: number;
  readonly waitMs: number;
}

export interface SleepStep {
  readonly kind: 'sleep';
  readonly ms: number;
}

/** `count` quiet writes; '{n}' in the path or body is the write's number from 1. */
export interface BulkStep {
  readonly kind: 'bulk';
  readonly count: number;
  readonly method: string;
  readonly path: string;
  readonly body?: string;
}

export type Step = HttpStep | OpenStep | CollectStep | SleepStep | BulkStep;

export interface Scenario {
  readonly name: string;
  readonly steps: readonly Step[];
  /** The row of docs/COMPATIBILITY.md where kvd knowingly answers differently. */
  readonly deviation?: string;
  /** Keys outside the prefix the scenario creates, deleted quietly afterwards. */
  readonly cleanup?: readonly string[];
}

const form = 'application/x-www-form-urlencoded';

function http(
  method: string,
  path: string,
  body?: string,
  extra: Partial<HttpStep> = {},
): HttpStep {
  return { kind: 'http', method, path, ...(body === undefined ? {} : { body }), ...extra };
}

export const get = (path: string, extra?: Partial<HttpStep>): HttpStep =>
  http('GET', path, undefined, extra);
export const head = (path: string): HttpStep => http('HEAD', path);
export const put = (path: string, body?: string, extra?: Partial<HttpStep>): HttpStep =>
  http('PUT', path, body, extra);
export const post = (path: string, body?: string, extra?: Partial<HttpStep>): HttpStep =>
  http('POST', path, body, extra);
export const del = (path: string, body?: string, extra?: Partial<HttpStep>): HttpStep =>
  http('DELETE', path, body, extra);
export const call = (method: string, path: string, extra?: Partial<HttpStep>): HttpStep =>
  http(method, path, undefined, extra);

/** A setup write whose answer is not compared. */
export const setup = (method: string, path: string, body?: string): HttpStep =>
  http(method, path, body, { quiet: true });

export const open = (id: string, path: string): OpenStep => ({ kind: 'open', id, path });
export const collect = (id: string, waitMs = 3000, lines?: number): CollectStep => ({
  kind: 'collect',
  id,
  waitMs,
  ...(lines === undefined ? {} : { lines }),
});
export const sleep = (ms: number): SleepStep => ({ kind: 'sleep', ms });
export const bulk = (count: number, method: string, path: string, body?: string): BulkStep => ({
  kind: 'bulk',
  count,
  method,
  path,
  ...(body === undefined ? {} : { body }),
});

export function scenario(
  name: string,
  steps: readonly Step[],
  more: Partial<Scenario> = {},
): Scenario {
  return { name, steps, ...more };
}

export function contentTypeOf(step: HttpStep): string | undefined {
  if (step.contentType === null) return undefined;
  if (step.contentType !== undefined) return step.contentType;
  return step.body === undefined ? undefined : form;
}
