// Builds the fastify app that serves etcd's v2 HTTP API over a KeysBackend: Go-style request
// targets (decoded before routing, 301 for unclean paths, bare 400 for bad escapes), CORS and
// OPTIONS as etcd answers them, form-only body parsing with a size limit, 404/405 fallbacks,
// and the routes. Imports the routes, v2-params, v2-reply and watch; no store internals.

import type { IncomingMessage } from 'node:http';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify';
import { assert } from '../lib/assert.js';
import { limits } from '../lib/limits.js';
import { ErrorCode, V2Error } from '../store/v2/index.js';
import type { KeysBackend } from './keys-backend.js';
import { handleKeys, isKeysPath, keysAllow, registerKeysRoutes } from './routes/keys.js';
import { isMembersPath, registerMembersRoutes } from './routes/members.js';
import {
  machinesAllow,
  machinesPath,
  miscGetOnlyPaths,
  registerMiscRoutes,
  type VersionInfo,
} from './routes/misc.js';
import { registerStatsRoutes, statsPaths } from './routes/stats.js';
import { parseRequestTarget, routingUrl, type RequestTarget } from './v2-params.js';
import {
  corsHeaders,
  sendMalformedTarget,
  sendMethodNotAllowed,
  sendNotFound,
  sendRedirect,
  sendV2Error,
} from './v2-reply.js';
import { WatchSessions } from './watch.js';

export interface AppOptions {
  /** Largest form body read; a bigger one is refused (210) and nothing is applied. */
  readonly requestBodyBytesMax?: number;
  /** true for fastify's default pino logger, or a logger to use; default: no logging. */
  readonly logger?: boolean | FastifyBaseLogger;
  readonly version: VersionInfo;
}

/** A URL that no route serves: targets answered by the onRequest hook are routed here. */
const unroutedUrl = '/';

export function buildApp(backend: KeysBackend, options: AppOptions): FastifyInstance {
  const bodyBytesMax = options.requestBodyBytesMax ?? limits.requestBodyBytesMax;
  assert(Number.isSafeInteger(bodyBytesMax) && bodyBytesMax > 0, 'requestBodyBytesMax > 0');
  const targets = new WeakMap<IncomingMessage, RequestTarget>();
  const targetOfRaw = (raw: IncomingMessage): RequestTarget => {
    let target = targets.get(raw);
    if (target === undefined) {
      const rawUrl = (raw as { originalUrl?: string }).originalUrl ?? raw.url ?? '/';
      target = parseRequestTarget(rawUrl);
      targets.set(raw, target);
    }
    return target;
  };
  const targetOf = (request: FastifyRequest): RequestTarget => targetOfRaw(request.raw);
  const app = Fastify({
    ...loggerOptions(options.logger),
    disableRequestLogging: true,
    bodyLimit: bodyBytesMax,
    routerOptions: { maxParamLength: 64 * 1024 },
    querystringParser: () => ({}),
    rewriteUrl: (raw) => {
      const target = targetOfRaw(raw);
      return target.kind === 'clean' ? routingUrl(target.path) : unroutedUrl;
    },
    frameworkErrors: (_error, _request, reply) => sendMalformedTarget(reply),
  }) as unknown as FastifyInstance;
  const sessions = new WatchSessions();
  registerBodyParsers(app, bodyBytesMax);
  app.addHook('onRequest', async (request, reply) => answerBeforeRouting(request, reply, targetOf));
  app.addHook('preClose', async () => sessions.endAll());
  const keys = { backend, sessions, targetOf };
  registerKeysRoutes(app, keys);
  registerMembersRoutes(app, backend);
  registerStatsRoutes(app, backend);
  registerMiscRoutes(app, backend, options.version);
  app.setNotFoundHandler((request, reply) => {
    const target = targetOf(request);
    assert(target.kind === 'clean', () => `not-found handler for a ${target.kind} target`);
    if (isKeysPath(target.path) && keysAllow.split(',').includes(request.method)) {
      return handleKeys(keys, request, reply); // a prefix spelled with %2F: /v2%2Fkeys/a
    }
    const allow = allowFor(target.path);
    if (allow === undefined) return sendNotFound(reply);
    return sendMethodNotAllowed(reply, allow);
  });
  app.setErrorHandler((error: FastifyError, request, reply) =>
    answerError(error, request, reply, { backend, bodyBytesMax }),
  );
  return app;
}

function loggerOptions(
  logger: AppOptions['logger'],
): { logger: boolean } | { loggerInstance: FastifyBaseLogger } {
  if (logger === undefined || typeof logger === 'boolean') return { logger: logger === true };
  return { loggerInstance: logger };
}

/** Go reads only form bodies (of PUT and POST); any other body is left unread. */
function registerBodyParsers(app: FastifyInstance, bodyBytesMax: number): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string', bodyLimit: bodyBytesMax },
    (_request, body, done) => done(null, body),
  );
  app.addContentTypeParser('*', (_request, _payload, done) => done(null, undefined));
}

/**
 * What etcd answers before any handler: Go's 400 for an undecodable target (no CORS), then
 * CORS headers on everything, 200 for any OPTIONS, and ServeMux's 301 for unclean paths.
 */
async function answerBeforeRouting(
  request: FastifyRequest,
  reply: FastifyReply,
  targetOf: (request: FastifyRequest) => RequestTarget,
): Promise<FastifyReply | undefined> {
  const target = targetOf(request);
  if (target.kind === 'malformed') return sendMalformedTarget(reply);
  reply.headers(corsHeaders);
  if (request.method === 'OPTIONS') return reply.code(200).send();
  if (target.kind === 'redirect') return sendRedirect(reply, request.method, target.location);
  return undefined;
}

/** The Allow header of a 405 for a path some route serves; undefined for unknown paths. */
function allowFor(path: string): string | null | undefined {
  if (isKeysPath(path)) return keysAllow;
  if (miscGetOnlyPaths.includes(path) || statsPaths.includes(path)) return 'GET';
  if (path === machinesPath) return machinesAllow;
  if (isMembersPath(path)) return null;
  return undefined;
}

interface ErrorContext {
  readonly backend: KeysBackend;
  readonly bodyBytesMax: number;
}

/** Errors fastify raised before a handler answered, in etcd's shape. */
function answerError(
  error: FastifyError,
  request: FastifyRequest,
  reply: FastifyReply,
  context: ErrorContext,
): FastifyReply {
  const { backend, bodyBytesMax } = context;
  if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    reply.header('Connection', 'close');
    const cause = `http: POST too large: body over requestBodyBytesMax ${bodyBytesMax} bytes`;
    return sendV2Error(reply, backend, new V2Error(ErrorCode.InvalidForm, cause, 0));
  }
  if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
    const cause = 'mime: invalid media type';
    return sendV2Error(reply, backend, new V2Error(ErrorCode.InvalidForm, cause, 0));
  }
  request.log.error({ err: error }, 'v2 api request failed');
  const cause = 'the request failed inside kvd';
  return sendV2Error(reply, backend, new V2Error(ErrorCode.RaftInternal, cause, 0));
}
