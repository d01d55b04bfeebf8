// The small endpoints: GET /version (etcd's two versions and kvd's own), GET /health
// ({"health":"true"} as text/plain, 503 when unhealthy) and GET /v2/machines (the client URLs,
// comma-separated). Imports the backend seam and v2-reply.

import type { FastifyInstance } from 'fastify';
import type { KeysBackend } from '../keys-backend.js';
import { sendJson, textContentType } from '../v2-reply.js';

export interface VersionInfo {
  /** The etcd server version kvd answers as (clients gate features on it). */
  readonly etcdserver: string;
  /** The cluster version. */
  readonly etcdcluster: string;
  /** kvd's own version, an extra field etcd does not send. */
  readonly kvd: string;
}

/** Paths that answer GET only, with "Allow: GET" on a 405. */
export const miscGetOnlyPaths: readonly string[] = ['/version', '/health'];
export const machinesPath = '/v2/machines';
/** etcd serves /v2/machines for HEAD too. */
export const machinesAllow = 'GET,HEAD';

export function registerMiscRoutes(
  app: FastifyInstance,
  backend: KeysBackend,
  version: VersionInfo,
): void {
  const route = { exposeHeadRoute: false };
  const versionBody = JSON.stringify({
    etcdserver: version.etcdserver,
    etcdcluster: version.etcdcluster,
    kvd: version.kvd,
  });
  app.get('/version', route, (_request, reply) => sendJson(reply, 200, versionBody));
  app.get('/health', route, (_request, reply) => {
    const healthy = backend.healthy();
    reply.code(healthy ? 200 : 503);
    reply.header('Content-Type', textContentType);
    return reply.send(JSON.stringify({ health: healthy ? 'true' : 'false' }));
  });
  app.get(machinesPath, (_request, reply) => {
    const urls = backend.members().flatMap((member) => member.clientURLs);
    reply.header('Content-Type', textContentType);
    return reply.send(urls.join(', '));
  });
}
