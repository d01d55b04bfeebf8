// Builds the fastify app that serves etcd's v2 HTTP API over a KeysBackend: Go-style request
// targets (decoded before routing, 301 for unclean paths, bare 400 for bad escapes), CORS and
// OPTIONS as etcd answers them, form-only body parsing with a size limit, 404/405 fallbacks,
// and the routes. Imports the routes, v2-params, v2-reply and watch; no store internals.

import Fastify, {
  LogController,
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify';
import { assert } from '../lib/assert.js';
import { limits } from '../lib/limits.js';
import { ErrorCode, V2Error } from '../store/v2/index.js';
import { formContentType, GoRequests, unreadContentType } from './go-request.js';
import type { KeysBackend } from './keys-backend.js';
import { registerFallback } from './routes/fallback.js';
import { registerKeysRoutes } from './routes/keys.js';
import { registerMembersRoutes } from './routes/members.js';
import { registerMiscRoutes, type VersionInfo } from './routes/misc.js';
import { registerStatsRoutes } from './routes/stats.js';
import { routingUrl, type RequestTarget } from './v2-params.js';
import { corsHeaders, sendMalformedTarget, sendRedirect, sendV2Error } from './v2-reply.js';
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
  const go = new GoRequests();
  const targetOf = (request: FastifyRequest): RequestTarget => go.target(request.raw);
  const app = Fastify({
    ...loggerOptions(options.logger),
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: bodyBytesMax,
    // Parameters are parsed from the raw target with Go's rules (v2-params), not by fastify.
    routerOptions: { maxParamLength: 64 * 1024, querystringParser: () => ({}) },
    rewriteUrl: (raw) => {
      const target = go.target(raw);
      return target.kind === 'clean' ? routingUrl(target.path) : unroutedUrl;
    },
    frameworkErrors: (_error, _request, reply) => sendMalformedTarget(reply),
    // The logger union makes fastify's overloads infer a narrower instance type.
  }) as unknown as FastifyInstance;
  const sessions = new WatchSessions();
  registerBodyParsers(app, bodyBytesMax);
  app.addHook('onRequest', async (request, reply) => answerBeforeRouting(request, reply, go));
  app.addHook('preClose', async () => sessions.endAll());
  const mediaErrorOf = (request: FastifyRequest): string | null => go.mediaError(request.raw);
  const keys = { backend, sessions, targetOf, mediaErrorOf };
  registerKeysRoutes(app, keys);
  registerMembersRoutes(app, backend);
  registerStatsRoutes(app, backend);
  registerMiscRoutes(app, backend, options.version);
  registerFallback(app, keys);
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

/**
 * Go reads only form bodies (of PUT and POST); any other body is left unread. The onRequest
 * hook has already rewritten each Content-Type to one of these two.
 */
function registerBodyParsers(app: FastifyInstance, bodyBytesMax: number): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(
    formContentType,
    { parseAs: 'string', bodyLimit: bodyBytesMax },
    (_request, body, done) => done(null, body),
  );
  app.addContentTypeParser([unreadContentType, '*'], (_request, _payload, done) =>
    done(null, undefined),
  );
}

/**
 * What etcd answers before any handler: Go's 400 for an undecodable target (no CORS), then
 * CORS headers on everything, 200 for any OPTIONS, and ServeMux's 301 for unclean paths.
 * Also decides how the body will be read, as Go would.
 */
async function answerBeforeRouting(
  request: FastifyRequest,
  reply: FastifyReply,
  go: GoRequests,
): Promise<FastifyReply | undefined> {
  const target = go.target(request.raw);
  if (target.kind === 'malformed') return sendMalformedTarget(reply);
  if (go.classifyBody(request.raw).closeConnection) reply.header('Connection', 'close');
  reply.headers(corsHeaders);
  if (request.method === 'OPTIONS') return reply.code(200).send();
  if (target.kind === 'redirect') return sendRedirect(reply, request.method, target.location);
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
  const status = error.statusCode ?? 500;
  if (status >= 400 && status < 500) {
    // A request fastify could not read (a bad Content-Length, a body cut short): Go's form
    // reader reports such failures as 210 too.
    return sendV2Error(reply, backend, new V2Error(ErrorCode.InvalidForm, error.message, 0));
  }
  request.log.error({ err: error }, 'v2 api request failed');
  const cause = 'the request failed inside kvd';
  return sendV2Error(reply, backend, new V2Error(ErrorCode.RaftInternal, cause, 0));
}
