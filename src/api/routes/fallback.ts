// Requests no route matched, answered as etcd does: a keys prefix spelled with '%2F' is
// still the keys API; a known path with a method it does not take gets a 405 with the Allow
// header etcd sends there; member changes, not served yet, get a 501; the rest Go's 404.
// Imports the routes' path predicates and v2-reply.

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { assert } from '../../lib/assert.js';
import type { KeysBackend } from '../keys-backend.js';
import { sendJson, sendMethodNotAllowed, sendNotFound } from '../v2-reply.js';
import { handleKeys, isKeysPath, keysAllow, type KeysRouteContext } from './keys.js';
import { isMembersPath, membersPrefix } from './members.js';
import { machinesAllow, machinesPath, miscGetOnlyPaths } from './misc.js';
import { statsPaths } from './stats.js';

/** The methods etcd's members handler takes; others get a 405 listing them. */
export const membersAllow = 'GET,POST,DELETE,PUT';

export { changeMembers } from './member-changes.js';
import { changeMembers } from './member-changes.js';

export const memberChangesUnserved = JSON.stringify({
  message: 'kvd does not serve member changes (POST, PUT, DELETE under /v2/members) yet',
});

export function registerFallback(app: FastifyInstance, keys: KeysRouteContext): void {
  app.setNotFoundHandler((request, reply) => answerUnrouted(keys, request, reply));
}

function answerUnrouted(
  keys: KeysRouteContext,
  request: FastifyRequest,
  reply: FastifyReply,
): FastifyReply | Promise<FastifyReply> {
  const target = keys.targetOf(request);
  assert(target.kind === 'clean', () => `fallback for a ${target.kind} target`);
  const { path } = target;
  const method = request.method;
  if (isKeysPath(path)) {
    if (keysAllow.split(',').includes(method)) return handleKeys(keys, request, reply);
    return sendMethodNotAllowed(reply, keysAllow);
  }
  if (isMembersPath(path)) return answerMembers(keys.backend, path, request, reply);
  if (miscGetOnlyPaths.includes(path) || statsPaths.includes(path)) {
    return sendMethodNotAllowed(reply, 'GET');
  }
  if (path === machinesPath) return sendMethodNotAllowed(reply, machinesAllow);
  return sendNotFound(reply);
}

/** Member paths with a method other than GET: runtime membership changes. */
function answerMembers(
  backend: KeysBackend,
  path: string,
  request: FastifyRequest,
  reply: FastifyReply,
): FastifyReply | Promise<FastifyReply> {
  const method = request.method;
  if (!membersAllow.split(',').includes(method)) return sendMethodNotAllowed(reply, membersAllow);
  reply.header('X-Etcd-Cluster-Id', backend.clusterId);
  const collection = path === membersPrefix || path === membersPrefix + '/';
  if (collection && method !== 'POST') return sendMethodNotAllowed(reply, null);
  if (backend.changeMembers === undefined) return sendJson(reply, 501, memberChangesUnserved);
  return changeMembers(backend, path, request, reply);
}
