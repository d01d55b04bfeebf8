// The v2 watch loop shared by watch, exec-watch and elect: long polls (wait=true) from a
// waitIndex, each bounded so a silent connection is retried, failing over like any GET;
// after each event the next poll starts at its modifiedIndex + 1, so nothing is missed
// between polls. When etcd has dropped the wanted index (401), `resync` restarts from now.
// Imports client, keys-api and exit-codes.
import type { KvClient } from './client.js';
import { EtcdCode, EtcdError, HttpError, isEtcdCode } from './exit-codes.js';
import { keysRequest, type KeysAnswer } from './keys-api.js';

export interface WatchLoopOptions {
  readonly recursive: boolean;
  /** Events after this etcd index; default: after the index at start. */
  readonly afterIndex?: number;
  /** Ends the loop (no error) when aborted. */
  readonly stop: AbortSignal;
  /** Called when the index was cleared: the loop restarts from now; throws when absent. */
  readonly resync?: (missedFrom: number, resumeAt: number) => void;
  /** Longest single poll before it is re-sent; default 60 s. */
  readonly pollMs?: number;
}

/** The events on `key` (and below it when recursive), in index order, until `stop`. */
export async function* watchEvents(
  client: KvClient,
  key: string,
  options: WatchLoopOptions,
): AsyncGenerator<KeysAnswer> {
  let next =
    options.afterIndex !== undefined ? options.afterIndex + 1 : await nextIndex(client, key);
  while (!options.stop.aborted) {
    const poll = AbortSignal.any([options.stop, AbortSignal.timeout(options.pollMs ?? 60_000)]);
    let answer: KeysAnswer;
    try {
      answer = await keysRequest(
        client,
        'GET',
        key,
        {
          wait: true,
          waitIndex: next,
          recursive: options.recursive ? true : undefined,
        },
        { timeoutMs: null, signal: poll },
      );
    } catch (error) {
      if (options.stop.aborted) return;
      if (poll.aborted) continue; // the poll's own time limit: ask again from the same index
      if (error instanceof HttpError && error.status === 200) continue; // closed without event
      if (!isEtcdCode(error, EtcdCode.eventIndexCleared) || options.resync === undefined) {
        throw error;
      }
      const resumeAt = await nextIndex(client, key);
      options.resync(next, resumeAt);
      next = resumeAt;
      continue;
    }
    yield answer;
    next = (answer.node.modifiedIndex ?? next) + 1;
  }
}

/** The index after the store's current one: where a watch "from now" starts. */
export async function nextIndex(client: KvClient, key: string): Promise<number> {
  try {
    return (await keysRequest(client, 'GET', key)).etcdIndex + 1;
  } catch (error) {
    if (error instanceof EtcdError && error.body.index !== undefined) return error.body.index + 1;
    throw error;
  }
}

/**
 * Waits for one change of `key` (below it when recursive) after `afterIndex`, at most
 * `pollMs`: true when something changed or the index was cleared (look again), false when
 * the time ran out or `stop` aborted. Other errors propagate.
 */
export async function waitForChange(
  client: KvClient,
  key: string,
  afterIndex: number,
  options: { recursive: boolean; stop: AbortSignal; pollMs: number },
): Promise<boolean> {
  const poll = AbortSignal.any([options.stop, AbortSignal.timeout(options.pollMs)]);
  try {
    await keysRequest(
      client,
      'GET',
      key,
      {
        wait: true,
        waitIndex: afterIndex + 1,
        recursive: options.recursive ? true : undefined,
      },
      { timeoutMs: null, signal: poll },
    );
    return true;
  } catch (error) {
    if (poll.aborted) return false;
    if (isEtcdCode(error, EtcdCode.eventIndexCleared)) return true;
    if (error instanceof HttpError && error.status === 200) return true;
    throw error;
  }
}
