// The operator-facing paragraphs of discovery failures: what happened, what it means, and the
// exact next step. One function per mistake, each returning a DiscoveryError. Pure text.
import { DiscoveryError } from './discovery-error.js';
import type { WireError } from './discovery-http.js';
import { formatDurationMs } from './duration.js';
import {
  describeRegistrations, initialClusterText, type Duplicate, type Registration,
} from './registry.js';
import { registryUrlPath } from './token.js';

export interface MemberContext {
  readonly tokenUrl: string;
  readonly name: string;
  readonly peerUrls: readonly string[];
  readonly memberId: string;
  readonly dataDir: string;
}

const nothingWritten = 'Nothing was written to the data dir.';

/** The discovery service's base URL (where /new is) for a token URL. */
export function serviceOf(tokenUrl: string): string {
  const url = new URL(tokenUrl);
  const path = url.pathname.replace(/\/+$/, '');
  const at = path.indexOf(`${registryUrlPath}/`);
  const base = at >= 0 ? path.slice(0, at) : path.slice(0, path.lastIndexOf('/'));
  return `${url.origin}${base}`;
}

/** How to make a fresh token, with both tools spelled out. */
export function newTokenHint(tokenUrl: string, size: number | string): string {
  const service = serviceOf(tokenUrl);
  return `create a new token for each cluster: "kvctl discovery new --size ${size} `
    + `--endpoints ${service}" or "curl '${service}/new?size=${size}'"`;
}

export function fullError(
  ctx: MemberContext, size: number, list: readonly Registration[], late: boolean,
): DiscoveryError {
  const peer = ctx.peerUrls.join(',');
  const how = late
    ? `${capital(self(ctx))} registered too, but after them, so its registration is ignored`
    : `${capital(self(ctx))} is not one of them, so it did not register`;
  return new DiscoveryError('KVD_ERR_DISCOVERY_FULL', words(
    `discovery: the token ${ctx.tokenUrl} is full: it was made for a cluster of ${size} and`,
    `${size} member(s) have registered: ${describeRegistrations(list.slice(0, size))}.`,
    `${how}; nothing was written to the data dir.`,
    'Discovery only bootstraps a new cluster. To add this member to the running cluster, run',
    `"kvctl member add ${ctx.name} --peer-urls ${peer}"`,
    `(or "etcdctl member add ${ctx.name} --peer-urls=${peer}") against that cluster, then start`,
    'this member without --discovery, with --initial-cluster-state existing, the',
    `--initial-cluster that command prints and --initial-cluster-token ${ctx.tokenUrl}`,
    '(kvd members keep it as their cluster token).',
    `To start a separate cluster instead, ${newTokenHint(ctx.tokenUrl, size)}.`,
  ));
}

export function tokenUsedError(
  ctx: MemberContext, size: number, list: readonly Registration[], mine: Registration,
): DiscoveryError {
  const first = list.slice(0, size);
  const sameMember = mine.name === ctx.name;
  const complete = list.length >= size;
  const what = sameMember
    ? `${self(ctx)} is already registered in the token ${ctx.tokenUrl}`
    : words(`the peer URL ${ctx.peerUrls.join(',')} (member ID ${ctx.memberId}) is already`,
      `registered in the token ${ctx.tokenUrl} as "${mine.value}", but this member is --name`,
      ctx.name);
  const used = complete
    ? words(`, and the token lists all ${size} members (${describeRegistrations(first)}), but`,
      `the data dir ${ctx.dataDir} holds no member: this token was already used to bootstrap a`,
      'cluster')
    : ': this token was already used by a member with this peer URL';
  const paragraph = [words(`discovery: ${what}${used}.`,
    `A token bootstraps exactly one cluster; ${newTokenHint(ctx.tokenUrl, size)}, and start`,
    'every member with the new URL.', nothingWritten)];
  if (complete && sameMember) {
    paragraph.push('If the cluster this token bootstrapped is still running and only this',
      'member lost its data dir, do not reuse the token: remove the member',
      `("kvctl member remove ${mine.id}" or "etcdctl member remove ${mine.id}"), add it back`,
      `("kvctl member add ${ctx.name} --peer-urls ${ctx.peerUrls.join(',')}"), and start it`,
      'without --discovery, with --initial-cluster-state existing,',
      `--initial-cluster ${initialClusterText(first)} and --initial-cluster-token`,
      `${ctx.tokenUrl}.`);
  }
  return new DiscoveryError('KVD_ERR_DISCOVERY_TOKEN_USED', words(...paragraph));
}

export function duplicateError(
  ctx: MemberContext, size: number, dup: Duplicate, tokenSpoiled: boolean,
): DiscoveryError {
  const [a, b] = dup.registrations;
  const head = words(`discovery: the token ${ctx.tokenUrl} has two registrations with the`,
    `${dup.what} "${dup.shared}": ${a.id} ("${a.value}") and ${b.id} ("${b.value}").`,
    'Every member needs its own --name and peer URL.');
  const tail = tokenSpoiled
    ? words('Registrations are never removed, so this token cannot bootstrap a cluster any',
      `more: fix the names or peer URLs, then ${newTokenHint(ctx.tokenUrl, size)}.`)
    : words(`${capital(self(ctx))} did not register, so the token is unchanged.`,
      `If "${dup.shared}" is this member's from an earlier run,`,
      `${newTokenHint(ctx.tokenUrl, size)}.`);
  return new DiscoveryError('KVD_ERR_DISCOVERY_DUPLICATE', words(head, tail, nothingWritten));
}

export function badSizeError(ctx: MemberContext, value: string): DiscoveryError {
  return new DiscoveryError('KVD_ERR_DISCOVERY_BAD_SIZE', words(
    `discovery: the token ${ctx.tokenUrl} has size ${JSON.stringify(value)} (its _config/size`,
    'key), which is not a whole number of at least 1, so no cluster can be bootstrapped',
    'through it. The token was not made by a discovery service\'s /new, or was changed by',
    `hand. ${capital(newTokenHint(ctx.tokenUrl, 'N'))} (N: the number of members).`,
    'Nothing was written to the token or the data dir.',
  ));
}

export function badRegistrationError(ctx: MemberContext, what: string): DiscoveryError {
  return new DiscoveryError('KVD_ERR_DISCOVERY_BAD_REGISTRATION', words(
    `discovery: the token ${ctx.tokenUrl} holds something other than member registrations:`,
    `${what}. Only discovery clients should write into a token;`,
    `${newTokenHint(ctx.tokenUrl, 'N')}.`, nothingWritten,
  ));
}

export function unreachableError(
  ctx: MemberContext, failingMs: number, timeoutMs: number, last: string,
): DiscoveryError {
  return new DiscoveryError('KVD_ERR_DISCOVERY_UNREACHABLE', words(
    `discovery: gave up on the discovery service at ${ctx.tokenUrl} after`,
    `${formatDurationMs(failingMs)} of failed attempts (--discovery-timeout`,
    `${formatDurationMs(timeoutMs)}); the last error was: ${last}.`, nothingWritten,
    'Check that the service is running and reachable from this member',
    `(try: curl '${ctx.tokenUrl}'), or raise --discovery-timeout.`,
  ));
}

export function notServiceError(
  ctx: MemberContext, request: string, summary: string,
): DiscoveryError {
  return new DiscoveryError('KVD_ERR_DISCOVERY_NOT_A_SERVICE', words(
    `discovery: ${ctx.tokenUrl} is not a discovery service: ${request} answered ${summary}`,
    'instead of etcd v2 JSON. --discovery takes a token URL exactly as a discovery service\'s',
    `/new prints it, such as http://host:2379${registryUrlPath}/<token> from`,
    '"curl \'http://host:2379/new?size=3\'" against a running kvd (or the URL',
    `discovery.etcd.io prints); ${serviceOf(ctx.tokenUrl)} is not one.`, nothingWritten,
  ));
}

export function noTokenError(ctx: MemberContext, error: WireError): DiscoveryError {
  const cause = error.cause ? ` for ${error.cause}` : '';
  return new DiscoveryError('KVD_ERR_DISCOVERY_NO_TOKEN', words(
    `discovery: the token ${ctx.tokenUrl} does not exist (the service answered etcd error`,
    `${error.errorCode} "${error.message}"${cause}): it was never created, it expired (kvd's`,
    'tokens live 7 days unless --discovery-token-ttl says otherwise), or the URL is mistyped.',
    `${capital(newTokenHint(ctx.tokenUrl, 'N'))}.`, nothingWritten,
  ));
}

export function tokenGoneError(
  ctx: MemberContext, action: string, registered: number, size: number,
): DiscoveryError {
  return new DiscoveryError('KVD_ERR_DISCOVERY_NO_TOKEN', words(
    `discovery: the token ${ctx.tokenUrl} was removed (${action}) while this member waited for`,
    `the others (${registered} of ${size} had registered).`,
    `${capital(newTokenHint(ctx.tokenUrl, size))}.`, nothingWritten,
  ));
}

export function refusedError(
  ctx: MemberContext, request: string, status: number, error: WireError,
): DiscoveryError {
  const cause = error.cause ? ` (${error.cause})` : '';
  return new DiscoveryError('KVD_ERR_DISCOVERY_REFUSED', words(
    `discovery: the discovery service refused ${request}: ${status} etcd error`,
    `${error.errorCode} "${error.message}"${cause}. Only server errors (5xx) and connection`,
    'failures are retried; this one is final.', nothingWritten,
  ));
}

export function dataDirError(
  ctx: MemberContext, held: { name: string; memberId: string; clusterId: string }, expected: string,
): DiscoveryError {
  return new DiscoveryError('KVD_ERR_DISCOVERY_DATA_DIR', words(
    `discovery: the data dir ${ctx.dataDir} already holds member ${held.name} (ID`,
    `${held.memberId}) of cluster ${held.clusterId}, which was not bootstrapped through the`,
    `token ${ctx.tokenUrl} (that token makes cluster ${expected}). To restart this member as`,
    'it is, start it without --discovery; to bootstrap a new cluster through the token, give',
    'it an empty --data-dir. Nothing was changed.',
  ));
}

function self(ctx: MemberContext): string {
  return `this member (--name ${ctx.name}, peer URL ${ctx.peerUrls.join(',')}, ID ${ctx.memberId})`;
}

function capital(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** Joins pieces of one paragraph with single spaces. */
function words(...parts: string[]): string {
  return parts.join(' ');
}
