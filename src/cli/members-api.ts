// The etcd v2 members API as kvctl uses it: GET /v2/members (and /leader), POST to add,
// PUT /v2/members/<id> to change peer URLs, DELETE to remove. Error answers carry
// {"message": ...} and become HttpError. Imports client and exit-codes.
import { parseJson, type HttpReply, type KvClient, type RequestSpec } from './client.js';
import { HttpError } from './exit-codes.js';

export interface MemberJson {
  readonly id: string;
  readonly name: string;
  readonly peerURLs: readonly string[];
  readonly clientURLs: readonly string[];
}

export async function listMembers(client: KvClient): Promise<MemberJson[]> {
  const reply = await membersRequest(client, { method: 'GET', path: '/v2/members' }, [200]);
  const body = parseJson(reply.text) as { members?: MemberJson[] } | undefined;
  if (!Array.isArray(body?.members)) throw unexpected(reply);
  return body.members;
}

/** The leader's member ID, or null while there is none (503) or the server cannot say. */
export async function leaderId(client: KvClient): Promise<string | null> {
  const reply = await client.request({ method: 'GET', path: '/v2/members/leader' });
  if (reply.status !== 200) return null;
  const body = parseJson(reply.text) as Partial<MemberJson> | undefined;
  return typeof body?.id === 'string' ? body.id : null;
}

export async function addMember(
  client: KvClient,
  peerURLs: readonly string[],
  isLearner = false,
): Promise<MemberJson> {
  const json = isLearner ? { peerURLs, isLearner: true } : { peerURLs };
  const spec: RequestSpec = { method: 'POST', path: '/v2/members', json };
  const reply = await membersRequest(client, spec, [201, 200]);
  const body = parseJson(reply.text) as MemberJson | undefined;
  if (typeof body?.id !== 'string') throw unexpected(reply);
  return body;
}

/** kvd extension: POST /v2/members/<id>/promote turns a caught-up learner into a voter. */
export async function promoteMember(client: KvClient, id: string): Promise<void> {
  const path = `/v2/members/${encodeURIComponent(id)}/promote`;
  await membersRequest(client, { method: 'POST', path }, [200]);
}

export async function removeMember(client: KvClient, id: string): Promise<void> {
  const path = `/v2/members/${encodeURIComponent(id)}`;
  await membersRequest(client, { method: 'DELETE', path }, [204, 200]);
}

export async function updateMember(
  client: KvClient,
  id: string,
  peerURLs: readonly string[],
): Promise<void> {
  const path = `/v2/members/${encodeURIComponent(id)}`;
  await membersRequest(client, { method: 'PUT', path, json: { peerURLs } }, [204, 200]);
}

async function membersRequest(
  client: KvClient,
  spec: RequestSpec,
  expected: readonly number[],
): Promise<HttpReply> {
  const reply = await client.request(spec);
  if (expected.includes(reply.status)) return reply;
  const body = parseJson(reply.text) as { message?: unknown } | undefined;
  const message = typeof body?.message === 'string' ? body.message : reply.text.trim();
  const hint = reply.status === 404 || reply.status === 405 ? notServedHint(spec, reply) : '';
  throw new HttpError(reply.status, (message || '(empty body)') + hint, reply.endpoint);
}

/** Go's text 404/405 pages mean the server has no such route (kvd before runtime membership). */
function notServedHint(spec: RequestSpec, reply: HttpReply): string {
  const isPage = reply.text.startsWith('404 page not found') || reply.text.startsWith('Method Not');
  return isPage ? ` (this server does not serve ${spec.method} ${spec.path})` : '';
}

function unexpected(reply: HttpReply): HttpError {
  return new HttpError(
    reply.status,
    `unexpected answer: ${reply.text.slice(0, 200)}`,
    reply.endpoint,
  );
}

/** Splits a comma-separated list of URLs, checking each parses. */
export function parseUrlList(text: string, what: string): string[] {
  const urls = text
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '');
  for (const url of urls) {
    if (!URL.canParse(url)) throw new Error(`${what}: "${url}" is not a URL`);
  }
  return urls;
}
