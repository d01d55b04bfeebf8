// The ordered-queue recipe behind lock and elect: each contender appends a key with a TTL
// under a directory (create-in-order POST, named by its creation index) and keeps it alive
// with refresh=true PUTs; the contender whose key is first in creation order holds the lock
// (or leads). A waiter watches only its predecessor, so a release wakes one process. When the
// key cannot be refreshed for 3/4 of its TTL (or is gone), the entry counts as lost: the
// holder must stop acting as the owner before the key can expire elsewhere.
// Imports client, keys-api, watch-loop, context and exit-codes.
import type { KvClient } from './client.js';
import { sleep } from './context.js';
import { CliError, EtcdCode, ExitCode, isEtcdCode, UnreachableError } from './exit-codes.js';
import { keysRequest, type V2Node } from './keys-api.js';
import { waitForChange } from './watch-loop.js';

/** The entry was lost: its key expired or was deleted, or could not be refreshed in time. */
export class EntryLost extends CliError {
  constructor(key: string, why: string) {
    super(`${key}: lost (${why})`, ExitCode.unreachable);
    this.name = 'EntryLost';
  }
}

export interface QueueView {
  /** The queue's keys (directories left out), in creation order. */
  readonly entries: readonly V2Node[];
  /** X-Etcd-Index of the read: watch from after it to miss nothing. */
  readonly etcdIndex: number;
}

/** A linearizable read of the queue; an absent directory is an empty queue. */
export async function readQueue(client: KvClient, dir: string): Promise<QueueView> {
  try {
    const answer = await keysRequest(client, 'GET', dir, { quorum: true, sorted: true });
    const entries = (answer.node.nodes ?? []).filter((n) => n.dir !== true && n.key !== undefined);
    entries.sort((a, b) => (a.createdIndex ?? 0) - (b.createdIndex ?? 0));
    return { entries, etcdIndex: answer.etcdIndex };
  } catch (error) {
    if (isEtcdCode(error, EtcdCode.keyNotFound)) {
      return { entries: [], etcdIndex: error.body.index ?? 0 };
    }
    throw error;
  }
}

export class QueueEntry {
  private readonly lostController = new AbortController();
  private readonly stopRefresh = new AbortController();
  private refreshing: Promise<void> = Promise.resolve();

  private constructor(
    private readonly client: KvClient,
    readonly dir: string,
    readonly key: string,
    readonly ttlSeconds: number,
  ) {}

  /**
   * Appends an entry with `value` and starts keeping it alive. With `uniqueValue`, a POST
   * whose effect is unknown (timeout, reset) is settled by a quorum read: the entry is adopted
   * if its value is there, else the POST is sent again (a late duplicate expires unrefreshed).
   */
  static async join(
    client: KvClient,
    dir: string,
    value: string,
    options: { ttlSeconds: number; uniqueValue: boolean },
  ): Promise<QueueEntry> {
    const firstSentAt = performance.now(); // the TTL runs from some time after this
    const start = (key: string | undefined): QueueEntry => {
      const entry = new QueueEntry(client, dir, key ?? '', options.ttlSeconds);
      entry.refreshing = entry.keepAlive(firstSentAt);
      return entry;
    };
    for (let attempt = 1; ; attempt++) {
      try {
        const params = { value, ttl: options.ttlSeconds };
        return start((await keysRequest(client, 'POST', dir, params)).node.key);
      } catch (error) {
        if (!(error instanceof UnreachableError) || !options.uniqueValue || attempt >= 4) {
          throw error;
        }
        const view = await readQueue(client, dir).catch(() => null);
        const mine = view?.entries.find((node) => node.value === value);
        if (mine !== undefined) return start(mine.key);
        await sleep(250);
      }
    }
  }

  /** Aborts (with an EntryLost reason) once the entry is lost. */
  get lost(): AbortSignal {
    return this.lostController.signal;
  }

  /**
   * Resolves when this entry is first in the queue; rejects with EntryLost if it is lost
   * first. Returns false when `stop` aborts before.
   */
  async waitUntilFirst(stop: AbortSignal): Promise<boolean> {
    const quit = AbortSignal.any([stop, this.lost]);
    while (!quit.aborted) {
      let view: QueueView;
      try {
        view = await readQueue(this.client, this.dir);
      } catch (error) {
        if (!(error instanceof UnreachableError)) throw error;
        await sleep(250, quit);
        continue;
      }
      const position = view.entries.findIndex((n) => n.key === this.key);
      if (position < 0) this.markLost('its key is gone');
      else if (position === 0) return true;
      else await this.waitForPredecessor(view.entries[position - 1]!, view.etcdIndex, quit);
    }
    if (this.lost.aborted) throw this.lost.reason;
    return false;
  }

  /** Stops refreshing and deletes the entry's key (it would expire after its TTL anyway). */
  async leave(): Promise<void> {
    this.stopRefresh.abort();
    await this.refreshing;
    await keysRequest(this.client, 'DELETE', this.key).catch(() => undefined);
  }

  private async waitForPredecessor(
    node: V2Node,
    etcdIndex: number,
    quit: AbortSignal,
  ): Promise<void> {
    try {
      await waitForChange(this.client, node.key ?? '', etcdIndex, {
        recursive: false,
        stop: quit,
        pollMs: this.ttlSeconds * 1000,
      });
    } catch (error) {
      if (!(error instanceof UnreachableError)) throw error;
      await sleep(250, quit);
    }
  }

  /** Refreshes the key every TTL/3 (sooner after a failure) until leave() or loss. */
  private async keepAlive(lastSentOk: number): Promise<void> {
    const ttlMs = this.ttlSeconds * 1000;
    const stop = AbortSignal.any([this.stopRefresh.signal, this.lost]);
    let wait = ttlMs / 3;
    while (!stop.aborted) {
      await sleep(Math.min(wait, Math.max(0, lastSentOk + ttlMs * 0.75 - performance.now())), stop);
      if (stop.aborted) return;
      if (performance.now() - lastSentOk >= ttlMs * 0.75) {
        return this.markLost(
          `not refreshed for ${Math.round((performance.now() - lastSentOk) / 1000)} s`,
        );
      }
      const sentAt = performance.now();
      try {
        await keysRequest(
          this.client,
          'PUT',
          this.key,
          { refresh: true, ttl: this.ttlSeconds, prevExist: true },
          {
            timeoutMs: Math.min(this.client.timeoutMs, ttlMs / 3),
            signal: this.stopRefresh.signal,
          },
        );
        lastSentOk = sentAt;
        wait = ttlMs / 3;
      } catch (error) {
        if (this.stopRefresh.signal.aborted) return;
        if (isEtcdCode(error, EtcdCode.keyNotFound))
          return this.markLost('its key expired or was deleted');
        wait = 200;
      }
    }
  }

  private markLost(why: string): void {
    if (!this.lost.aborted) this.lostController.abort(new EntryLost(this.key, why));
  }
}
