// The members API, read side only: GET /v2/members lists every member, GET
// /v2/members/leader shows the leader, other member paths answer etcd's "Not found". Adding,
// updating and removing members is not served yet. Imports the backend seam and v2-reply.

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { KeysBackend, MemberInfo } from '../keys-backend.js';
import { sendJson } from '../v2-reply.js';

export const membersPrefix = '/v2/members';

/** etcd's member JSON, in its field order. */
export interface MemberJson {
  readonly id: string;
  readonly name: string;
  readonly peerURLs: readonly string[];
  readonly clientURLs: readonly string[];
}

/** True for a decoded path the members API owns (405 without Allow for other methods). */
export function isMembersPath(path: string): boolean {
  return path === membersPrefix || path.startsWith(membersPrefix + '/');
}

export function registerMembersRoutes(app: FastifyInstance, backend: KeysBackend): void {
  const list = (_request: FastifyRequest, reply: FastifyReply): FastifyReply =>
    sendMembers(reply, backend, { members: backend.members().map(memberJson) });
  app.get(membersPrefix, { exposeHeadRoute: false }, list);
  app.get(membersPrefix + '/', { exposeHeadRoute: false }, list);
  app.get(membersPrefix + '/leader', { exposeHeadRoute: false }, (_request, reply) =>
    sendLeader(reply, backend),
  );
  app.get(membersPrefix + '/*', { exposeHeadRoute: false }, (_request, reply) =>
    sendMembers(reply, backend, { message: 'Not found' }, 404),
  );
}

function sendLeader(reply: FastifyReply, backend: KeysBackend): FastifyReply {
  const leaderId = backend.leaderId();
  const leader = backend.members().find((member) => member.id === leaderId);
  if (leaderId === '' || leader === undefined) {
    return sendMembers(reply, backend, { message: 'During leader election' }, 503);
  }
  return sendMembers(reply, backend, memberJson(leader));
}

/** Member answers carry the cluster ID; successes end with a newline, errors do not. */
function sendMembers(
  reply: FastifyReply,
  backend: KeysBackend,
  body: unknown,
  status = 200,
): FastifyReply {
  reply.header('X-Etcd-Cluster-Id', backend.clusterId);
  const newline = status === 200 ? '\n' : '';
  return sendJson(reply, status, JSON.stringify(body) + newline);
}

export function memberJson(member: MemberInfo): MemberJson {
  return {
    id: member.id,
    name: member.name,
    peerURLs: [...member.peerURLs],
    clientURLs: [...member.clientURLs],
  };
}
