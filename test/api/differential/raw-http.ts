// A raw HTTP client for the differential test: sends the request target exactly as written
// (no URL normalisation, so '//', '..' and bad escapes reach the server), and reads a watch's
// head as soon as it arrives and its body line by line, with every wait bounded.

import http from 'node:http';

export interface HttpTarget {
  readonly host: string;
  readonly port: number;
  readonly agent: http.Agent;
}

export interface RawRequest {
  readonly method: string;
  /** The request target as sent: path and query, already escaped. */
  readonly path: string;
  readonly body?: string;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface RawResponse {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
  /** False when the wait ran out before the body ended (a watch still open). */
  readonly ended: boolean;
}

export function makeTarget(host: string, port: number): HttpTarget {
  return { host, port, agent: new http.Agent({ keepAlive: true, maxSockets: 16 }) };
}

/** Sends one request and waits (at most `timeoutMs`) for the whole answer. */
export async function send(
  target: HttpTarget,
  request: RawRequest,
  timeoutMs = 10_000,
): Promise<RawResponse> {
  const open = await openRequest(target, request, timeoutMs);
  return open.collect({ timeoutMs });
}

export interface OpenResponse {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  /** Reads until the body ends, `lines` lines have come, or `timeoutMs` passes; then closes. */
  collect(options: { lines?: number; timeoutMs: number }): Promise<RawResponse>;
}

/** Sends a request and resolves once the answer's head has arrived (for watches). */
export function openRequest(
  target: HttpTarget,
  request: RawRequest,
  timeoutMs: number,
): Promise<OpenResponse> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { ...request.headers };
    if (request.body !== undefined)
      headers['Content-Length'] = String(Buffer.byteLength(request.body));
    const outgoing = http.request({
      host: target.host,
      port: target.port,
      method: request.method,
      path: request.path,
      headers,
      agent: target.agent,
    });
    const timer = setTimeout(() => {
      outgoing.destroy();
      reject(new Error(`no answer head in ${timeoutMs} ms: ${request.method} ${request.path}`));
    }, timeoutMs);
    outgoing.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    outgoing.on('response', (incoming) => {
      clearTimeout(timer);
      resolve(openResponse(outgoing, incoming));
    });
    outgoing.end(request.body);
  });
}

function openResponse(outgoing: http.ClientRequest, incoming: http.IncomingMessage): OpenResponse {
  const chunks: Buffer[] = [];
  let ended = false;
  const waiters = new Set<() => void>();
  const wake = (): void => {
    for (const waiter of waiters) waiter();
  };
  incoming.on('data', (chunk: Buffer) => {
    chunks.push(chunk);
    wake();
  });
  incoming.on('end', () => {
    ended = true;
    wake();
  });
  incoming.on('error', () => {
    ended = true;
    wake();
  });
  const text = (): string => Buffer.concat(chunks).toString('utf8');
  const lineCount = (): number => text().split('\n').length - 1;
  return {
    status: incoming.statusCode ?? 0,
    headers: incoming.headers,
    collect: ({ lines, timeoutMs }) =>
      new Promise((resolve) => {
        const finish = (): void => {
          waiters.delete(check);
          clearTimeout(timer);
          if (!ended) outgoing.destroy();
          resolve({
            status: incoming.statusCode ?? 0,
            headers: incoming.headers,
            body: text(),
            ended,
          });
        };
        const check = (): void => {
          if (ended || (lines !== undefined && lineCount() >= lines)) finish();
        };
        const timer = setTimeout(finish, timeoutMs);
        waiters.add(check);
        check();
      }),
  };
}
