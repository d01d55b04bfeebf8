// The discovery service's token endpoint on every kvd member: GET (or POST/PUT) /new?size=N
// answers, in plain text without a trailing newline, a token URL that real etcd and kvd accept
// as --discovery. A tiny fastify plugin over token.ts; it reads the raw target itself because
// the api app parses queries with Go's rules and hands routes no query object.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { KeysBackend } from '../api/keys-backend.js';
import { createToken, parseRequestedSize, tokenUrl } from './token.js';

export interface NewTokenRouteOptions {
  /** This member's advertised client URL: the base of the token URLs it hands out. */
  readonly clientUrl: string;
  readonly tokenTtlSeconds: number;
}

export const newTokenPath = '/new';

export function registerNewTokenRoute(
  app: FastifyInstance,
  backend: KeysBackend,
  options: NewTokenRouteOptions,
): void {
  app.route({
    method: ['GET', 'POST', 'PUT'],
    url: newTokenPath,
    handler: async (request, reply) => answerNewToken(request, reply, backend, options),
  });
}

async function answerNewToken(
  request: FastifyRequest,
  reply: FastifyReply,
  backend: KeysBackend,
  options: NewTokenRouteOptions,
): Promise<FastifyReply> {
  const size = parseRequestedSize(sizeParameter(request));
  if (typeof size === 'string') return plain(reply, 400, size);
  const made = await createToken(backend, { size, ttlSeconds: options.tokenTtlSeconds });
  if (!made.ok) {
    const { error } = made;
    const status = error.httpStatus >= 500 ? 503 : 500;
    return plain(reply, status, `could not create a token: ${error.message} (${error.cause})\n`);
  }
  return plain(reply, 200, tokenUrl(options.clientUrl, made.token));
}

/** `size` as Go's FormValue finds it: a form body first, then the query. */
function sizeParameter(request: FastifyRequest): string | undefined {
  if (typeof request.body === 'string') {
    const fromBody = new URLSearchParams(request.body).get('size');
    if (fromBody !== null) return fromBody;
  }
  const raw = (request.raw as { originalUrl?: string }).originalUrl ?? request.raw.url ?? '';
  const mark = raw.indexOf('?');
  if (mark < 0) return undefined;
  return new URLSearchParams(raw.slice(mark + 1)).get('size') ?? undefined;
}

function plain(reply: FastifyReply, status: number, text: string): FastifyReply {
  return reply.code(status).type('text/plain; charset=utf-8').send(text);
}
