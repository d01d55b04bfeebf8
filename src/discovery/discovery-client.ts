// The member side of token discovery, following etcd 3.4's discovery client step by step:
// read size + list (fast "full" check), register `<id>` = `name=peerURL` with prevExist=false,
// confirm with a watch from its own index, read size + list again, then long-poll a recursive
// watch until `size` members registered; the first `size` by createdIndex are the cluster.
// Retries 5xx and connection errors with back-off inside a time budget; everything else is
// final, as a DiscoveryError with a paragraph for the operator. Talks HTTP; no disk.
import { DiscoveryError } from './discovery-error.js';
import { exchange, type ExchangeOptions, type Outcome, type WireError } from './discovery-http.js';
import {
  badRegistrationError, badSizeError, duplicateError, fullError, noTokenError, notServiceError,
  refusedError, tokenGoneError, tokenUsedError, unreachableError, type MemberContext,
} from './messages.js';
import {
  baseName, findDuplicate, parseRegistration, placeOf, registrationsOf, withRegistration,
  type Registration,
} from './registry.js';
import { RetryBudget } from './retry.js';

export interface DiscoveryLog {
  info(line: string): void;
  warn(line: string): void;
}

export interface DiscoveryOptions extends MemberContext {
  /** Longest run of failing requests before giving up (--discovery-timeout). */
  readonly timeoutMs: number;
  /** Each non-watch request (etcd: 5 s). */
  readonly requestTimeoutMs?: number;
  readonly backoffMsBase?: number;
  readonly backoffMsMax?: number;
  /** A watch quiet this long is re-issued after a fresh listing (not a failure). */
  readonly watchRepollMs?: number;
  readonly log: DiscoveryLog;
}

export interface DiscoveryResult {
  readonly size: number;
  /** The initial members, in createdIndex order; this member is one of them. */
  readonly members: readonly Registration[];
}

export const discoveryDefaults = {
  requestTimeoutMs: 5_000, backoffMsBase: 1_000, backoffMsMax: 32_000, watchRepollMs: 60_000,
} as const;

export async function discoverCluster(options: DiscoveryOptions): Promise<DiscoveryResult> {
  return new DiscoveryRun(options).run();
}

interface ClusterStatus {
  readonly size: number;
  readonly list: readonly Registration[];
  /** X-Etcd-Index of the listing (0 when the service sent none, as etcd assumes). */
  readonly etcdIndex: number;
}

type EtcdErrorHandler<T> = (error: WireError, status: number) => T | undefined;
type OkOutcome = Extract<Outcome, { kind: 'ok' }>;

class DiscoveryRun {
  private readonly budget: RetryBudget;
  private readonly base: string;
  private readonly value: string;
  private readonly tokenName: string;
  /** Set once this run sent its registration PUT: a listed registration may be its own. */
  private putSent = false;

  constructor(private readonly options: DiscoveryOptions) {
    this.base = options.tokenUrl.replace(/\/+$/, '');
    this.tokenName = baseName(new URL(this.base).pathname);
    this.value = options.peerUrls.map((url) => `${options.name}=${url}`).join(',');
    this.budget = new RetryBudget({
      budgetMs: options.timeoutMs,
      delayMsBase: options.backoffMsBase ?? discoveryDefaults.backoffMsBase,
      delayMsMax: options.backoffMsMax ?? discoveryDefaults.backoffMsMax,
    }, (line) => options.log.warn(line),
    (failingMs, last) => unreachableError(options, failingMs, options.timeoutMs, last));
  }

  async run(): Promise<DiscoveryResult> {
    const { log, memberId } = this.options;
    log.info(`discovery: joining through ${this.options.tokenUrl} as ${memberId} = ${this.value}`);
    let registered: Registration | null = null;
    for (;;) {
      const status = await this.checkCluster();
      if (registered === null) {
        registered = await this.register(status);
        if (registered === null) continue; // the PUT failed in transit: look again
        await this.confirmSelf(registered);
        continue;
      }
      const list = await this.waitNodes(status);
      if (list !== null) return this.finish(list, status.size);
    }
  }

  /** Steps 1-2 and 5-6: the size, then the listing. */
  private async checkCluster(): Promise<ClusterStatus> {
    const sizeAnswer = await this.get('read the token size', `${this.base}/_config/size`,
      '?quorum=false&recursive=false&sorted=false', this.missingToken());
    const sizeText = sizeAnswer.event.node?.value ?? '';
    const size = /^[+-]?\d+$/.test(sizeText) ? Number(sizeText) : NaN;
    if (!(Number.isSafeInteger(size) && size >= 1)) throw badSizeError(this.options, sizeText);
    const listing = await this.get('list the token', this.base,
      '?quorum=false&recursive=false&sorted=false', this.missingToken());
    const list = registrationsOf(listing.event.node ?? {});
    if (typeof list === 'string') throw badRegistrationError(this.options, list);
    return { size, list, etcdIndex: listing.etcdIndex ?? 0 };
  }

  /** Step 3 (and the fast-path checks before it); null when it should be tried again. */
  private async register(status: ClusterStatus): Promise<Registration | null> {
    const { size, list } = status;
    const { memberId, log } = this.options;
    const mine = list.find((r) => r.id === memberId);
    if (mine !== undefined) return this.resume(status, mine);
    if (list.length >= size) throw fullError(this.options, size, list, false);
    const spoiled = findDuplicate(list);
    if (spoiled !== null) throw duplicateError(this.options, size, spoiled, true);
    const clash = findDuplicate([...list, this.selfRegistration()]);
    if (clash !== null) throw duplicateError(this.options, size, clash, false);
    const url = new URL(`${this.base}/${memberId}?prevExist=false`);
    this.putSent = true;
    const outcome = await this.send({ method: 'PUT', url, form: { value: this.value } });
    if (outcome.kind === 'transient') {
      await this.budget.failed('register this member', outcome.reason);
      return null;
    }
    if (outcome.kind === 'etcd-error' && outcome.error.errorCode === 105) {
      // Registered between the listing and the PUT: another process with the same peer URL.
      const again = await this.checkCluster();
      const now = again.list.find((r) => r.id === memberId);
      if (now !== undefined) throw tokenUsedError(this.options, again.size, again.list, now);
    }
    const answer = this.expectOk(outcome, `PUT ${url.href}`, this.missingToken());
    this.budget.succeeded();
    const created = parseRegistration(answer.event.node ?? {});
    if (typeof created === 'string') throw badRegistrationError(this.options, created);
    log.info(`discovery: registered ${memberId} = ${this.value} `
      + `(createdIndex ${created.createdIndex})`);
    return created;
  }

  /** This member is already in the listing: carry on only if it is an unfinished earlier run. */
  private resume(status: ClusterStatus, mine: Registration): Registration {
    const { size, list } = status;
    const self = this.selfRegistration();
    const same = mine.name === self.name && mine.peerUrls.join(',') === self.peerUrls.join(',');
    if (same && placeOf(list, mine.id, size) === 'late') {
      throw fullError(this.options, size, list, true);
    }
    if (same && this.putSent) {
      this.options.log.info('discovery: the registration PUT landed '
        + `(createdIndex ${mine.createdIndex})`);
      return mine;
    }
    if (!same || list.length >= size) throw tokenUsedError(this.options, size, list, mine);
    this.options.log.info(`discovery: this member registered earlier (createdIndex `
      + `${mine.createdIndex}) and the token is not complete yet (${list.length} of ${size}): `
      + 'resuming the wait');
    return mine;
  }

  /** Step 4: a watch from its own index, answered from history, proves the write is visible. */
  private async confirmSelf(mine: Registration): Promise<void> {
    const url = `${this.base}/${mine.id}`;
    const query = `?recursive=false&wait=true&waitIndex=${mine.createdIndex}`;
    await this.get('confirm the registration', url, query, (error) => (
      error.errorCode === 401 ? true : undefined)); // history moved on: the listing confirms
    this.options.log.info(`discovery: found self ${mine.id}`);
  }

  /** Steps 7+: the list once `size` registered, or null to list again first. */
  private async waitNodes(status: ClusterStatus): Promise<Registration[] | null> {
    const { size } = status;
    let list = [...status.list];
    let waitIndex = status.etcdIndex + 1;
    while (list.length < size) {
      const missing = size - list.length;
      this.options.log.info(`discovery: ${list.length} of ${size} member(s) registered; `
        + `waiting for ${missing} more`);
      const url = new URL(`${this.base}?recursive=true&wait=true&waitIndex=${waitIndex}`);
      const outcome = await this.send({ method: 'GET', url, watch: true });
      if (outcome.kind === 'quiet') return null;
      if (outcome.kind === 'transient') {
        await this.budget.failed('watch the token', outcome.reason);
        return null;
      }
      if (outcome.kind === 'etcd-error' && outcome.error.errorCode === 401) return null;
      const answer = this.expectOk(outcome, `GET ${url.href}`, this.missingToken());
      this.budget.succeeded();
      const { action = '', node = {} } = answer.event;
      waitIndex = Math.max(waitIndex, (node.modifiedIndex ?? waitIndex) + 1);
      list = this.applyEvent(list, action, node, size);
    }
    return list;
  }

  private applyEvent(
    list: Registration[], action: string, node: { key?: string }, size: number,
  ): Registration[] {
    const key = node.key ?? '';
    const removal = ['delete', 'expire', 'compareAndDelete'].includes(action);
    if (baseName(key) === this.tokenName && removal) {
      throw tokenGoneError(this.options, action, list.length, size);
    }
    const parent = baseName(key.slice(0, key.replace(/\/+$/, '').lastIndexOf('/')));
    if (parent !== this.tokenName || baseName(key).startsWith('_')) return list;
    if (removal) return list.filter((r) => r.id !== baseName(key));
    const found = parseRegistration(node);
    if (typeof found === 'string') throw badRegistrationError(this.options, found);
    this.options.log.info(`discovery: found peer ${found.id} = ${found.value}`);
    return withRegistration(list, found);
  }

  /** The first `size` registrations, once this member is sure to be one of them. */
  private finish(list: readonly Registration[], size: number): DiscoveryResult {
    const members = list.slice(0, size);
    if (!members.some((r) => r.id === this.options.memberId)) {
      const late = placeOf(list, this.options.memberId, size) === 'late';
      throw fullError(this.options, size, list, late);
    }
    const dup = findDuplicate(members);
    if (dup !== null) throw duplicateError(this.options, size, dup, true);
    this.options.log.info(`discovery: found ${size} needed member(s): `
      + members.map((r) => `${r.name}=${r.peerUrls.join(',')}`).join(','));
    return { size, members };
  }

  private selfRegistration(): Registration {
    const { memberId, name, peerUrls } = this.options;
    const sorted = [...peerUrls].sort();
    return {
      id: memberId, name, peerUrls: sorted, value: this.value,
      createdIndex: Infinity, modifiedIndex: 0,
    };
  }

  private missingToken(): EtcdErrorHandler<never> {
    return (error, status) => {
      if (status === 404 && error.errorCode === 100) throw noTokenError(this.options, error);
      return undefined;
    };
  }

  /** A GET retried through transient failures; an etcd error goes to `onError`, else is final. */
  private async get<T>(
    what: string, url: string, query: string, onError: EtcdErrorHandler<T>,
  ): Promise<OkOutcome> {
    const target = new URL(`${url}${query}`);
    for (;;) {
      const outcome = await this.send({ method: 'GET', url: target });
      if (outcome.kind === 'transient') {
        await this.budget.failed(what, outcome.reason);
        continue;
      }
      if (outcome.kind === 'etcd-error' && onError(outcome.error, outcome.status) !== undefined) {
        return { kind: 'ok', status: outcome.status, event: {}, etcdIndex: null };
      }
      const answer = this.expectOk(outcome, `GET ${target.href}`, onError);
      this.budget.succeeded();
      return answer;
    }
  }

  private expectOk<T>(outcome: Outcome, request: string, onError: EtcdErrorHandler<T>): OkOutcome {
    switch (outcome.kind) {
      case 'ok': return outcome;
      case 'not-etcd': throw notServiceError(this.options, request, outcome.summary);
      case 'etcd-error':
        onError(outcome.error, outcome.status);
        throw refusedError(this.options, request, outcome.status, outcome.error);
      default:
        throw new DiscoveryError('KVD_ERR_DISCOVERY_REFUSED',
          `discovery: ${request}: unexpected ${outcome.kind}`);
    }
  }

  private send(
    request: Omit<ExchangeOptions, 'timeoutMs'> & { watch?: boolean },
  ): Promise<Outcome> {
    const { watch, ...rest } = request;
    const timeoutMs = watch === true
      ? this.options.watchRepollMs ?? discoveryDefaults.watchRepollMs
      : this.options.requestTimeoutMs ?? discoveryDefaults.requestTimeoutMs;
    return exchange({ ...rest, timeoutMs, timeoutIsQuiet: watch === true });
  }
}
