// Runtime membership over HTTP, as etcd's v2 members API: POST /v2/members (add; kvd also
// takes "isLearner": true), DELETE /v2/members/<id>, PUT /v2/members/<id> (peer URLs), and
// the kvd extension POST /v2/members/<id>/promote. `?force=true` skips the quorum check.
// Bodies are JSON (anything else is etcd's 415). Imports the backend seam and v2-reply.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { originalContentType } from '../go-request.js';
import type { KeysBackend, MemberChangeResult } from '../keys-backend.js';
import { sendJson } from '../v2-reply.js';
import { membersPrefix } from './members.js';

const bodyBytesMax = 64 * 1024;

export async function changeMembers(
  backend: KeysBackend,
  path: string,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<FastifyReply> {
  const change = backend.changeMembers!.bind(backend);
  const rest = path.slice(membersPrefix.length + 1).split('/');
  const id = rest[0] ?? '';
  const force = new URL(request.raw.url ?? '/', 'http://x').searchParams.get('force') === 'true';
  if (request.method === 'DELETE' && rest.length === 1) {
    return answer(reply, await change({ op: 'remove', id, force }), 204);
  }
  if (request.method === 'POST' && rest.length === 2 && rest[1] === 'promote') {
    const result = await change({ op: 'promote', id });
    if (!result.ok) return answer(reply, result, 200);
    return sendJson(reply, 200, JSON.stringify({ id: result.id, promoted: true }) + '\n');
  }
  const type = originalContentType(request.raw) ?? '';
  if (!type.split(';')[0]!.trim().toLowerCase().startsWith('application/json')) {
    return sendJson(reply, 415, JSON.stringify({ message: `Bad Content-Type ${type}, accept application/json` }));
  }
  const body = await readJson(request);
  const peerURLs = validUrls(body?.['peerURLs']);
  if (peerURLs === null) return sendJson(reply, 400, JSON.stringify({ message: 'no valid URLs given' }));
  if (request.method === 'POST' && rest.length === 1 && id === '') {
    const isLearner = body?.['isLearner'] === true;
    return answer(reply, await change({ op: 'add', peerURLs, isLearner, force }), 201);
  }
  if (request.method === 'PUT' && rest.length === 1) {
    return answer(reply, await change({ op: 'update', id, peerURLs }), 204);
  }
  return sendJson(reply, 404, JSON.stringify({ message: 'Not found' }));
}

function answer(reply: FastifyReply, result: MemberChangeResult, status: number): FastifyReply {
  if (!result.ok) return sendJson(reply, result.status, JSON.stringify({ message: result.message }));
  if (status === 204) return reply.code(204).send();
  const a = result.attributes;
  const member = { id: result.id, name: a?.name ?? '', peerURLs: a?.peerURLs ?? [], clientURLs: a?.clientURLs ?? [] };
  return sendJson(reply, status, JSON.stringify(member) + '\n');
}

async function readJson(request: FastifyRequest): Promise<Record<string, unknown> | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request.raw as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > bodyBytesMax) return null;
    chunks.push(chunk);
  }
  try {
    const parsed = JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

function validUrls(value: unknown): string[] | null {
  if (!Array.isArray(value) || value.length === 0) return null;
  const out: string[] = [];
  for (const item of value) {
    if (typeof item !== 'string') return null;
    try {
      const url = new URL(item);
      if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
    } catch {
      return null;
    }
    out.push(item.replace(/\/$/, ''));
  }
  return out;
}
