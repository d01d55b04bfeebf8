// What Go's net/http makes of a request before etcd's handler runs, remembered per request:
// the decoded target (for routing, 301s and Go's bare 400), and whether the body is a form Go
// would read (only PUT and POST; otherwise it stays unread). Imports v2-params and go-url.

import type { IncomingMessage } from 'node:http';
import { goMediaType } from './go-url.js';
import { parseRequestTarget, type RequestTarget } from './v2-params.js';

/** The content type the body parsers see: fastify reads a form and leaves the rest unread. */
export const formContentType = 'application/x-www-form-urlencoded';
export const unreadContentType = 'application/octet-stream';

/** Go discards at most this much of an unread body to keep a connection; beyond, it closes. */
export const unreadBodyBytesMax = 256 * 1024;

export interface BodyVerdict {
  /** Go's media type error (a 210 cause), which it reports before any form error. */
  readonly mediaError: string | null;
  /** True when the unread rest of the body is too big to drain: close the connection. */
  readonly closeConnection: boolean;
}

const originalContentTypes = new WeakMap<IncomingMessage, string>();

/** The Content-Type the client sent, before classifyBody rewrote it for the parsers. */
export function originalContentType(raw: IncomingMessage): string | undefined {
  return originalContentTypes.get(raw) ?? raw.headers['content-type'];
}

export class GoRequests {
  private readonly targets = new WeakMap<IncomingMessage, RequestTarget>();
  private readonly verdicts = new WeakMap<IncomingMessage, BodyVerdict>();

  /** The request's target as Go decodes it; decided once, from the URL as received. */
  target(raw: IncomingMessage): RequestTarget {
    let target = this.targets.get(raw);
    if (target === undefined) {
      const received = (raw as { originalUrl?: string }).originalUrl ?? raw.url ?? '/';
      target = parseRequestTarget(received);
      this.targets.set(raw, target);
    }
    return target;
  }

  /**
   * Decides how the body is read, and rewrites the Content-Type header the parsers see so that
   * only a form Go would read is parsed (fastify must not refuse types Go accepts).
   */
  classifyBody(raw: IncomingMessage): BodyVerdict {
    const method = raw.method ?? 'GET';
    const header = raw.headers['content-type'];
    const reads = method === 'PUT' || method === 'POST';
    const media = reads ? goMediaType(header) : { form: false, error: null };
    const length = Number(raw.headers['content-length'] ?? 0);
    const verdict = {
      mediaError: media.error,
      closeConnection: !media.form && length > unreadBodyBytesMax,
    };
    if (header !== undefined) {
      originalContentTypes.set(raw, header);
      raw.headers['content-type'] = media.form ? formContentType : unreadContentType;
    }
    this.verdicts.set(raw, verdict);
    return verdict;
  }

  /** The media type error of a classified request (null when there was none). */
  mediaError(raw: IncomingMessage): string | null {
    return this.verdicts.get(raw)?.mediaError ?? null;
  }
}
