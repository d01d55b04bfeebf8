// The etcd v2 keys API as kvctl uses it: /v2/keys/<key> requests with their parameters in the
// query (GET, DELETE) or a form body (PUT, POST), answers parsed into nodes plus the index
// headers, and etcd's error bodies turned into EtcdError. Imports client and exit-codes.
import { headerNumber, parseJson, type KvClient, type Params, type RequestSpec } from './client.js';
import { EtcdError, HttpError, type EtcdErrorBody } from './exit-codes.js';

export interface V2Node {
  readonly key?: string;
  readonly value?: string;
  readonly dir?: boolean;
  readonly nodes?: readonly V2Node[];
  readonly ttl?: number;
  readonly expiration?: string;
  readonly modifiedIndex?: number;
  readonly createdIndex?: number;
}

export interface KeysAnswer {
  readonly action: string;
  readonly node: V2Node;
  readonly prevNode?: V2Node;
  /** X-Etcd-Index: the store index when the answer was made. */
  readonly etcdIndex: number;
  readonly raftIndex?: number;
  readonly raftTerm?: number;
  readonly status: number;
  readonly endpoint: string;
  readonly latencyMs: number;
}

export type KeysMethod = RequestSpec['method'];

export interface KeysOptions {
  readonly timeoutMs?: number | null;
  readonly signal?: AbortSignal;
}

/** One keys request; resolves with the answer or rejects with EtcdError / HttpError. */
export async function keysRequest(
  client: KvClient,
  method: KeysMethod,
  key: string,
  params: Params = {},
  options: KeysOptions = {},
): Promise<KeysAnswer> {
  const inBody = method === 'PUT' || method === 'POST';
  const reply = await client.request({
    method,
    path: keysPath(key),
    ...(inBody ? { form: params } : { query: params }),
    ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
    ...(options.signal !== undefined ? { signal: options.signal } : {}),
  });
  const body = parseJson(reply.text);
  if (isErrorBody(body)) throw new EtcdError(body, reply.status);
  if (reply.status >= 300 || !isAnswerBody(body)) {
    const detail = reply.text.trim() === '' ? '(empty body)' : reply.text.trim().slice(0, 200);
    throw new HttpError(reply.status, detail, reply.endpoint);
  }
  const etcdIndex = headerNumber(reply, 'x-etcd-index') ?? 0;
  const raftIndex = headerNumber(reply, 'x-raft-index');
  const raftTerm = headerNumber(reply, 'x-raft-term');
  return {
    action: body.action,
    node: body.node,
    ...(body.prevNode !== undefined ? { prevNode: body.prevNode } : {}),
    etcdIndex,
    ...(raftIndex !== undefined ? { raftIndex } : {}),
    ...(raftTerm !== undefined ? { raftTerm } : {}),
    status: reply.status,
    endpoint: reply.endpoint,
    latencyMs: reply.latencyMs,
  };
}

/** `/v2/keys` + the key with a leading slash, each segment escaped. */
export function keysPath(key: string): string {
  const absolute = key.startsWith('/') ? key : `/${key}`;
  return '/v2/keys' + absolute.split('/').map(encodeURIComponent).join('/');
}

/** What etcdctl -o json prints for an answer: the body as etcd sent it, fields in order. */
export function answerJson(answer: KeysAnswer): Record<string, unknown> {
  return {
    action: answer.action,
    node: answer.node,
    ...(answer.prevNode !== undefined ? { prevNode: answer.prevNode } : {}),
  };
}

/** Every leaf (non-directory) node under `node`, depth first. */
export function leaves(node: V2Node): V2Node[] {
  if (node.dir !== true) return [node];
  return (node.nodes ?? []).flatMap(leaves);
}

function isErrorBody(body: unknown): body is EtcdErrorBody {
  return (
    typeof body === 'object' &&
    body !== null &&
    typeof (body as { errorCode?: unknown }).errorCode === 'number'
  );
}

interface AnswerBody {
  action: string;
  node: V2Node;
  prevNode?: V2Node;
}

function isAnswerBody(body: unknown): body is AnswerBody {
  if (typeof body !== 'object' || body === null) return false;
  const candidate = body as { action?: unknown; node?: unknown };
  return typeof candidate.action === 'string' && typeof candidate.node === 'object';
}
