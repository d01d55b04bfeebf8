// The keys API, /v2/keys and below: GET (local or quorum read, or a watch), PUT, POST and
// DELETE (replicated writes through the backend), HEAD as GET without a body. Parameters come
// from v2-params, answers go out through v2-reply and watch. Imports no store internals.

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { assert } from '../../lib/assert.js';
import { V2Error, type V2WriteRequest } from '../../store/v2/index.js';
import type { KeysBackend } from '../keys-backend.js';
import {
  keysPrefix,
  parseKeysParams,
  type KeysParams,
  type RequestTarget,
  writeRequestOf,
} from '../v2-params.js';
import { sendEvent, sendV2Error } from '../v2-reply.js';
import { startWatch, type WatchSessions } from '../watch.js';

/** The methods the keys API serves, as etcd lists them in a 405's Allow header. */
export const keysAllow = 'HEAD,GET,PUT,POST,DELETE';

export interface KeysRouteContext {
  readonly backend: KeysBackend;
  readonly sessions: WatchSessions;
  /** The decoded request target of a request (set before routing). */
  readonly targetOf: (request: FastifyRequest) => RequestTarget;
  /** Go's error for the request's Content-Type, reported before any form error. */
  readonly mediaErrorOf: (request: FastifyRequest) => string | null;
}

/** True for a decoded path the keys API serves. */
export function isKeysPath(path: string): boolean {
  return path === keysPrefix || path.startsWith(keysPrefix + '/');
}

export function registerKeysRoutes(app: FastifyInstance, context: KeysRouteContext): void {
  const handler = (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> =>
    handleKeys(context, request, reply);
  for (const url of [keysPrefix, keysPrefix + '/*']) {
    app.route({ method: ['GET', 'PUT', 'POST', 'DELETE'], url, handler });
  }
}

/** Serves one keys request whose target decodes to a keys path. */
export async function handleKeys(
  context: KeysRouteContext,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<FastifyReply> {
  const { backend } = context;
  const target = context.targetOf(request);
  assert(target.kind === 'clean', () => `keys request with a ${target.kind} target`);
  assert(isKeysPath(target.path), () => `keys request for ${target.path}`);
  const method = request.method;
  const key = target.path.slice(keysPrefix.length) || '/';
  const body = method === 'PUT' || method === 'POST' ? formBodyOf(request) : undefined;
  const mediaError = context.mediaErrorOf(request);
  const params = parseKeysParams({ method, key, query: target.query, body, mediaError });
  if (params instanceof V2Error) return sendV2Error(reply, backend, params);
  if (method === 'GET' || method === 'HEAD') return read(context, reply, params);
  assert(method === 'PUT' || method === 'POST' || method === 'DELETE', () => `method ${method}`);
  const result = await backend.write(writeRequestOf(method as V2WriteRequest['method'], params));
  if (result instanceof V2Error) return sendV2Error(reply, backend, result);
  return sendEvent(reply, backend, result, { noValueOnSuccess: params.noValueOnSuccess });
}

async function read(
  context: KeysRouteContext,
  reply: FastifyReply,
  params: KeysParams,
): Promise<FastifyReply> {
  const { backend } = context;
  if (params.wait && !params.quorum) {
    return startWatch(reply, backend, params, context.sessions);
  }
  const options = { recursive: params.recursive, sorted: params.sorted };
  const result = params.quorum
    ? await backend.quorumGet(params.key, options)
    : backend.get(params.key, options);
  if (result instanceof V2Error) return sendV2Error(reply, backend, result);
  return sendEvent(reply, backend, result, { noValueOnSuccess: false });
}

/** The raw form body the content-type parser kept, or undefined when Go would read none. */
function formBodyOf(request: FastifyRequest): string | undefined {
  const body: unknown = request.body;
  return typeof body === 'string' ? body : undefined;
}
