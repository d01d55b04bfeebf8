// Writing etcd v2 answers: an event or a V2Error with etcd's status, headers (X-Etcd-Index,
// X-Raft-Index/Term on successes only, X-Etcd-Cluster-Id, JSON content type) and body with
// its trailing newline; and the plain-text answers Go's server gives (404, 405, 301, 400).
// Imports the backend seam and the v2 store's public surface; owns no routes.

import type { FastifyReply } from 'fastify';
import type { V2Error, V2Event } from '../store/v2/index.js';
import { escapeHtml } from './go-url.js';
import type { KeysBackend } from './keys-backend.js';

export const jsonContentType = 'application/json';
export const textContentType = 'text/plain; charset=utf-8';

/** Headers etcd puts on every answer, including errors, redirects and OPTIONS. */
export const corsHeaders: Readonly<Record<string, string>> = Object.freeze({
  'Access-Control-Allow-Headers': 'accept, content-type, authorization',
  'Access-Control-Allow-Methods': 'POST, GET, OPTIONS, PUT, DELETE',
  'Access-Control-Allow-Origin': '*',
});

/** The headers of a keys answer at etcd index `etcdIndex`; Raft's only on a success. */
export function keysHeaders(
  backend: KeysBackend,
  etcdIndex: number,
  success: boolean,
): Record<string, string> {
  const headers: Record<string, string> = {
    'Content-Type': jsonContentType,
    'X-Etcd-Cluster-Id': backend.clusterId,
    'X-Etcd-Index': String(etcdIndex),
  };
  if (success) {
    const raft = backend.raftPosition();
    headers['X-Raft-Index'] = String(raft.index);
    headers['X-Raft-Term'] = String(raft.term);
  }
  return headers;
}

/**
 * The status etcd gives an event: 201 when the answer created the node (a create, a POST, or
 * a set that found nothing there), 200 otherwise.
 */
export function eventStatus(event: V2Event): number {
  if (event.action === 'create') return 201;
  if (event.action === 'set' && event.prevNode === undefined) return 201;
  return 200;
}

/** The answer body for an event; noValueOnSuccess keeps only the action (not for delete). */
export function eventBody(event: V2Event, noValueOnSuccess: boolean): string {
  if (noValueOnSuccess && stripsNode(event.action)) {
    return JSON.stringify({ action: event.action }) + '\n';
  }
  return event.json + '\n';
}

function stripsNode(action: V2Event['action']): boolean {
  return (
    action === 'set' || action === 'create' || action === 'update' || action === 'compareAndSwap'
  );
}

export interface EventReplyOptions {
  readonly noValueOnSuccess: boolean;
}

/** Sends a read or write answer. */
export function sendEvent(
  reply: FastifyReply,
  backend: KeysBackend,
  event: V2Event,
  options: EventReplyOptions,
): FastifyReply {
  reply.code(eventStatus(event));
  reply.headers(keysHeaders(backend, event.etcdIndex, true));
  return reply.send(asIs(eventBody(event, options.noValueOnSuccess)));
}

/** Sends an etcd error: its status from the registry, its index, no Raft headers. */
export function sendV2Error(
  reply: FastifyReply,
  backend: KeysBackend,
  error: V2Error,
): FastifyReply {
  reply.code(error.httpStatus);
  reply.headers(keysHeaders(backend, error.index, false));
  return reply.send(asIs(error.json + '\n'));
}

/** Go's "404 page not found". */
export function sendNotFound(reply: FastifyReply): FastifyReply {
  return sendGoText(reply, 404, '404 page not found\n');
}

/** Go's "Method Not Allowed"; `allow` is left out where etcd leaves it out. */
export function sendMethodNotAllowed(reply: FastifyReply, allow: string | null): FastifyReply {
  if (allow !== null) reply.header('Allow', allow);
  return sendGoText(reply, 405, 'Method Not Allowed\n');
}

function sendGoText(reply: FastifyReply, status: number, text: string): FastifyReply {
  reply.code(status);
  reply.header('Content-Type', textContentType);
  reply.header('X-Content-Type-Options', 'nosniff');
  return reply.send(text);
}

/** ServeMux's 301 to the cleaned path: a small HTML body for GET, nothing for others. */
export function sendRedirect(reply: FastifyReply, method: string, location: string): FastifyReply {
  reply.code(301);
  reply.header('Location', location);
  if (method !== 'GET' && method !== 'HEAD') return reply.send();
  reply.header('Content-Type', 'text/html; charset=utf-8');
  if (method === 'HEAD') return reply.send();
  return reply.send(`<a href="${escapeHtml(location)}">Moved Permanently</a>.\n\n`);
}

/** Go's own answer to a request target it cannot decode: bare 400, connection closed. */
export function sendMalformedTarget(reply: FastifyReply): FastifyReply {
  reply.code(400);
  reply.header('Content-Type', textContentType);
  reply.header('Connection', 'close');
  return reply.send('400 Bad Request');
}

/** A JSON answer outside the keys API (members, stats, version): no trailing newline. */
export function sendJson(reply: FastifyReply, status: number, body: string): FastifyReply {
  reply.code(status);
  reply.header('Content-Type', jsonContentType);
  return reply.send(asIs(body));
}

/**
 * A body fastify sends untouched: for a string it would add "; charset=utf-8" to the JSON
 * content type, which etcd does not send.
 */
function asIs(text: string): Buffer {
  return Buffer.from(text, 'utf8');
}
