// Builds the fastify app serving etcd's v2 HTTP API over a KeysBackend: /v2/keys (GET, PUT,
// POST, DELETE, long-poll watches), /v2/members, /v2/stats/*, /version, /health.
// A first, compact gateway; parameter rules follow etcd (form body over query).
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { ErrorCode, V2Error, type V2Result, type V2WriteRequest } from '../store/v2/index.js';
import type { KeysBackend } from './keys-backend.js';

export interface AppOptions {
  readonly requestBodyBytesMax?: number;
  readonly version: { etcdserver: string; etcdcluster: string; kvd: string };
}

type Params = Record<string, string | undefined>;

const trueWords = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);
const falseWords = new Set(['0', 'f', 'F', 'FALSE', 'false', 'False']);

export function buildApp(backend: KeysBackend, options: AppOptions): FastifyInstance {
  const app = Fastify({ bodyLimit: options.requestBodyBytesMax ?? 1.5 * 1024 * 1024 });
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });
  app.addContentTypeParser('*', { parseAs: 'string' }, (_req, _body, done) => done(null, {}));
  app.addHook('onSend', async (_req, reply) => {
    reply.header('Access-Control-Allow-Origin', '*');
    reply.header('X-Etcd-Cluster-Id', backend.clusterId);
  });
  app.get('/version', async (_req, reply) => reply.type('application/json').send(
    JSON.stringify({ etcdserver: options.version.etcdserver, etcdcluster: options.version.etcdcluster })));
  app.get('/health', async (_req, reply) => reply.type('text/plain; charset=utf-8')
    .send(JSON.stringify({ health: backend.healthy() ? 'true' : 'false' })));
  app.get('/v2/members', async (_req, reply) => reply.type('application/json')
    .send(JSON.stringify({ members: backend.members() })));
  app.get('/v2/stats/self', async (_req, reply) => reply.send(backend.selfStats()));
  app.get('/v2/stats/store', async (_req, reply) => reply.send(backend.storeStats()));
  app.get('/v2/stats/leader', async (_req, reply) => {
    const stats = backend.leaderStats();
    if (stats === null) return reply.code(403).send({ message: 'not current leader' });
    return reply.send(stats);
  });
  const keys = (request: FastifyRequest, reply: FastifyReply): Promise<void> => handleKeys(backend, request, reply);
  for (const url of ['/v2/keys', '/v2/keys/*']) {
    app.route({ method: ['GET', 'PUT', 'POST', 'DELETE', 'HEAD'], url, handler: keys });
  }
  return app;
}

async function handleKeys(backend: KeysBackend, request: FastifyRequest, reply: FastifyReply): Promise<void> {
  const path = '/' + ((request.params as Params)['*'] ?? '');
  const query = request.query as Params;
  const form = request.method === 'DELETE' ? {} : (request.body as Params | undefined) ?? {};
  const params: Params = { ...query, ...form };
  try {
    if (request.method === 'GET' || request.method === 'HEAD') {
      return await handleGet(backend, path, params, reply);
    }
    const result = await backend.write(writeRequest(request.method as V2WriteRequest['method'], path, params));
    return sendResult(backend, reply, result, true);
  } catch (error) {
    if (error instanceof V2Error) return sendResult(backend, reply, error, false);
    throw error;
  }
}

async function handleGet(backend: KeysBackend, path: string, params: Params, reply: FastifyReply): Promise<void> {
  const recursive = bool(params, 'recursive');
  const sorted = bool(params, 'sorted');
  const quorum = bool(params, 'quorum');
  if (bool(params, 'wait') && !quorum) return watch(backend, path, params, reply, recursive);
  const result = quorum ? await backend.quorumGet(path, { recursive, sorted }) : backend.get(path, { recursive, sorted });
  return sendResult(backend, reply, result, false);
}

function watch(backend: KeysBackend, path: string, params: Params, reply: FastifyReply, recursive: boolean): Promise<void> {
  const sinceIndex = params['waitIndex'] ? integer(params['waitIndex'], ErrorCode.IndexNotNumber, 'waitIndex') : 0;
  return new Promise((resolve) => {
    let done = false;
    const watcher = backend.watch({ path, recursive, sinceIndex }, (delivery) => {
      if (done) return;
      done = true;
      if (delivery instanceof V2Error) reply.raw.end(JSON.stringify(delivery.toJSON()) + '\n');
      else reply.raw.end(delivery.json + '\n');
      resolve();
    });
    if (watcher instanceof V2Error) {
      done = true;
      void sendResult(backend, reply, watcher, false).then(resolve);
      return;
    }
    if (done) return;
    reply.hijack();
    reply.raw.writeHead(200, {
      'Content-Type': 'application/json', 'X-Etcd-Index': String(backend.etcdIndex()),
      'X-Etcd-Cluster-Id': backend.clusterId, 'Access-Control-Allow-Origin': '*',
    });
    reply.raw.flushHeaders();
    reply.raw.on('close', () => {
      if (!done) watcher.cancel();
      done = true;
      resolve();
    });
  });
}

function writeRequest(method: V2WriteRequest['method'], path: string, params: Params): V2WriteRequest {
  const ttl = params['ttl'];
  const prevExist = params['prevExist'];
  return {
    method, path,
    ...(params['value'] !== undefined ? { value: params['value'] } : {}),
    dir: bool(params, 'dir'),
    ...(ttl !== undefined ? { ttlSeconds: ttl === '' ? null : integer(ttl, ErrorCode.TtlNotNumber, 'ttl') } : {}),
    refresh: bool(params, 'refresh'),
    ...(params['prevValue'] !== undefined ? { prevValue: params['prevValue'] } : {}),
    ...(params['prevIndex'] !== undefined ? { prevIndex: integer(params['prevIndex'], ErrorCode.IndexNotNumber, 'prevIndex') } : {}),
    ...(prevExist !== undefined ? { prevExist: bool(params, 'prevExist') } : {}),
    recursive: bool(params, 'recursive'),
  };
}

function bool(params: Params, name: string): boolean {
  const value = params[name];
  if (value === undefined) return false;
  if (trueWords.has(value)) return true;
  if (falseWords.has(value)) return false;
  throw new V2Error(ErrorCode.InvalidField, `invalid value for "${name}"`, 0);
}

function integer(value: string, code: ErrorCode, name: string): number {
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(Number(value))) {
    throw new V2Error(code, `invalid value for "${name}"`, 0);
  }
  return Number(value);
}

async function sendResult(backend: KeysBackend, reply: FastifyReply, result: V2Result, write: boolean): Promise<void> {
  if (result instanceof V2Error) {
    reply.code(result.httpStatus).header('X-Etcd-Index', String(result.index)).type('application/json')
      .send(JSON.stringify(result.toJSON()) + '\n');
    return;
  }
  const position = backend.raftPosition();
  const created = write && (result.action === 'create' || (result.action === 'set' && result.prevNode === undefined));
  reply.code(created ? 201 : 200)
    .header('X-Etcd-Index', String(result.etcdIndex))
    .header('X-Raft-Index', String(position.index))
    .header('X-Raft-Term', String(position.term))
    .type('application/json')
    .send(result.json + '\n');
}
