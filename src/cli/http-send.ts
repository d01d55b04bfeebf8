// One HTTP exchange with one endpoint (node:http, keep-alive), and how it failed: whether the
// request can have reached the server ('maybe-sent') or surely did not ('not-sent'), which
// decides whether the client may retry it elsewhere. Imports nothing from kvd.
import http from 'node:http';
import https from 'node:https';

export interface RawReply {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly text: string;
}

export interface SendOptions {
  readonly method: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
  /** Whole exchange, connect to last body byte; null: no limit (long-poll watches). */
  readonly timeoutMs: number | null;
  /** The caller's cancel; an abort rejects with the signal's reason, never a SendFailure. */
  readonly signal?: AbortSignal;
}

/** A failed exchange. `sent` is false only when the request surely never left this host. */
export class SendFailure extends Error {
  constructor(
    readonly reason: string,
    readonly sent: boolean,
  ) {
    super(reason);
    this.name = 'SendFailure';
  }
}

const agentOptions = { keepAlive: true, maxSockets: 64 };
const httpAgent = new http.Agent(agentOptions);
const httpsAgent = new https.Agent(agentOptions);

/** Error codes raised before a connection exists: the request was not sent. */
const notSentCodes = new Set([
  'ECONNREFUSED',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EADDRNOTAVAIL',
]);

export function send(url: URL, options: SendOptions): Promise<RawReply> {
  return new Promise((resolve, reject) => {
    const signal = options.signal;
    if (signal?.aborted) return reject(signal.reason);
    const secure = url.protocol === 'https:';
    const request = (secure ? https : http).request(url, {
      method: options.method,
      headers: { ...options.headers },
      agent: secure ? httpsAgent : httpAgent,
    });
    let connected = false;
    let settled = false;
    const finish = (error: unknown, reply?: RawReply): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      if (error === null && reply !== undefined) resolve(reply);
      else reject(error);
    };
    const onAbort = (): void => {
      finish(signal?.reason);
      request.destroy();
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    const timer =
      options.timeoutMs === null
        ? undefined
        : setTimeout(() => {
            finish(new SendFailure(`timed out after ${options.timeoutMs} ms`, connected));
            request.destroy();
          }, options.timeoutMs);
    request.on('socket', (socket) => {
      if (!socket.connecting) connected = true;
      else socket.once('connect', () => (connected = true));
    });
    request.on('error', (error: NodeJS.ErrnoException) => {
      const code = error.code ?? '';
      const sent = connected || !notSentCodes.has(code);
      finish(new SendFailure(describeError(error), sent));
    });
    request.on('response', (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', (error) => finish(new SendFailure(describeError(error), true)));
      response.on('aborted', () => finish(new SendFailure('answer cut off', true)));
      response.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        finish(null, { status: response.statusCode ?? 0, headers: response.headers, text });
      });
    });
    request.end(options.body);
  });
}

function describeError(error: NodeJS.ErrnoException): string {
  switch (error.code) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ECONNRESET':
      return 'connection reset';
    default:
      return error.code !== undefined ? `${error.code}: ${error.message}` : error.message;
  }
}
