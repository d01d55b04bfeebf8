// The stats API: GET /v2/stats/self, /v2/stats/leader (403 when this member does not lead)
// and /v2/stats/store, as the backend reports them. GET only: other methods get a 405 with
// "Allow: GET" from the app's fallback. Imports the backend seam and v2-reply.

import type { FastifyInstance, FastifyReply } from 'fastify';
import type { KeysBackend } from '../keys-backend.js';
import { sendJson } from '../v2-reply.js';

/** The stats paths, each answering GET only. */
export const statsPaths: readonly string[] = [
  '/v2/stats/self',
  '/v2/stats/leader',
  '/v2/stats/store',
];

export function registerStatsRoutes(app: FastifyInstance, backend: KeysBackend): void {
  const route = { exposeHeadRoute: false };
  app.get('/v2/stats/self', route, (_request, reply) =>
    sendStats(reply, JSON.stringify(backend.selfStats())),
  );
  app.get('/v2/stats/store', route, (_request, reply) =>
    sendStats(reply, JSON.stringify(backend.storeStats())),
  );
  app.get('/v2/stats/leader', route, (_request, reply) => {
    const stats = backend.leaderStats();
    if (stats === null) {
      return sendJson(reply, 403, JSON.stringify({ message: 'not current leader' }));
    }
    return sendStats(reply, JSON.stringify(stats));
  });
}

/** Stats bodies carry no trailing newline and no cluster header, as in etcd. */
function sendStats(reply: FastifyReply, body: string): FastifyReply {
  return sendJson(reply, 200, body);
}
