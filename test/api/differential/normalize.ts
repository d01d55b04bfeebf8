// Turns a raw answer into what the differential test compares: status, the headers etcd's
// clients look at, and the body with etcd indexes made relative to the scenario's starting
// index ('b+3'), in-order key names likewise, and times (expiration, ttl) masked.

import type { IncomingHttpHeaders } from 'node:http';
import type { RawResponse } from './raw-http.js';
import type { Mask } from './scenario.js';

export interface Observation {
  readonly step: string;
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: unknown;
  /** For collected watches: whether the answer had ended when it was read. */
  readonly ended?: boolean;
}

/** Headers compared as they are. */
const verbatimHeaders = [
  'content-type',
  'location',
  'allow',
  'access-control-allow-origin',
  'access-control-allow-headers',
  'access-control-allow-methods',
  'x-content-type-options',
  'transfer-encoding',
];
/** Headers whose presence is compared, not their value. */
const presenceHeaders = ['x-raft-index', 'x-raft-term', 'x-etcd-cluster-id'];

export interface NormalizeOptions {
  readonly mask: Mask;
  /** Collected watches: record whether the answer had ended. */
  readonly withEnded: boolean;
  /** Sort directory listings by key (etcd lists unsorted children in Go's map order). */
  readonly sortListings: boolean;
}

export function normalize(
  step: string,
  response: RawResponse,
  base: number,
  options: NormalizeOptions,
): Observation {
  const { mask, withEnded } = options;
  const headers = normalizeHeaders(response.headers, base);
  const body = normalizeBody(response, base, options);
  const observation = { step, status: response.status, headers, body };
  return withEnded ? { ...observation, ended: response.ended } : observation;
}

function normalizeHeaders(raw: IncomingHttpHeaders, base: number): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const name of verbatimHeaders) {
    const value = raw[name];
    if (typeof value === 'string') headers[name] = value;
  }
  for (const name of presenceHeaders) {
    if (raw[name] !== undefined) headers[name] = 'present';
  }
  const index = raw['x-etcd-index'];
  if (typeof index === 'string') headers['x-etcd-index'] = relativeIndex(Number(index), base);
  if (raw['connection'] === 'close') headers['connection'] = 'close';
  return headers;
}

function normalizeBody(response: RawResponse, base: number, options: NormalizeOptions): unknown {
  const { mask } = options;
  const contentType = String(response.headers['content-type'] ?? '');
  const text = response.body;
  if (!contentType.startsWith('application/json') || text === '') {
    return mask === 'shape' ? text.replace(/\d+/g, 'N') : text;
  }
  const endsWithNewline = text.endsWith('\n');
  const lines = text.split('\n').filter((line) => line !== '');
  const parsed = lines.map((line) => {
    try {
      const json = relativize(JSON.parse(line) as unknown, base, '');
      return options.sortListings ? sortListings(json) : json;
    } catch {
      return { unparsed: line };
    }
  });
  const shaped = mask === 'shape' ? parsed.map(shapeOf) : parsed;
  return { json: shaped, endsWithNewline };
}

export function relativeIndex(index: number, base: number): string {
  if (!Number.isFinite(index)) return `NaN`;
  return index === 0 ? '0' : `b${index - base >= 0 ? '+' : ''}${index - base}`;
}

function relativize(value: unknown, base: number, field: string): unknown {
  if (Array.isArray(value)) return value.map((item) => relativize(item, base, field));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    const errorCode = (value as Record<string, unknown>)['errorCode'];
    for (const [name, inner] of Object.entries(value as Record<string, unknown>)) {
      if (name === 'cause' && (errorCode === 101 || errorCode === 401)) {
        out[name] = relativizeCause(String(inner), base);
      } else {
        out[name] = relativize(inner, base, name);
      }
    }
    return out;
  }
  if (typeof value === 'number') {
    if (field === 'modifiedIndex' || field === 'createdIndex' || field === 'index') {
      return relativeIndex(value, base);
    }
    if (field === 'ttl') return value > 0 ? '<ttl>' : `<ttl ${value}>`;
    return value;
  }
  if (typeof value === 'string') {
    if (field === 'expiration') return '<expiration>';
    if (field === 'key' || field === 'cause') return relativizeKey(value, base);
    return value;
  }
  return value;
}

/** In-order key names (20 digits) become relative: /q/00000000000000000042 -> /q/<b+2>. */
function relativizeKey(key: string, base: number): string {
  return key.replace(/\b\d{20}\b/g, (digits) => `<${relativeIndex(Number(digits), base)}>`);
}

/** Indexes inside a cause's brackets: '[5 != 7]', '[12/3]'. */
function relativizeCause(cause: string, base: number): string {
  return cause.replace(
    /\[([^\]]*)\]/g,
    (whole, inner: string) =>
      '[' + inner.replace(/\b\d+\b/g, (digits) => relativeIndex(Number(digits), base)) + ']',
  );
}

/** Every `nodes` array sorted by key, recursively. */
function sortListings(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortListings);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [name, inner] of Object.entries(value as Record<string, unknown>)) {
    out[name] = sortListings(inner);
  }
  const nodes = out['nodes'];
  if (Array.isArray(nodes)) {
    const key = (node: unknown): string => String((node as Record<string, unknown>)['key']);
    out['nodes'] = [...nodes].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  }
  return out;
}

/** Every leaf replaced by its type: for stats, members and versions, whose values differ. */
function shapeOf(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(shapeOf);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [name, inner] of Object.entries(value as Record<string, unknown>)) {
      out[name] = shapeOf(inner);
    }
    return out;
  }
  return value === null ? 'null' : typeof value;
}
