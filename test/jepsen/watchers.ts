// Long-poll watchers (GET /v2/keys/jepsen?wait=true&recursive=true&waitIndex=N), each always
// resuming from the last modifiedIndex it saw + 1, on a member drawn from its own PRNG (another
// one after any error). Every event is recorded in segments: a 401 (history cleared) ends a
// segment and the next starts after the index kvd reported; within a segment nothing may be lost.
import http from 'node:http';
import type { Prng } from '../../src/lib/prng.js';
import { errorCodeOf, httpRequest, nodeOf } from './v2-client.js';
import { sleep } from './workload.js';

export interface WatchEvent {
  readonly index: number;
  readonly action: string;
  readonly key: string;
  /** The node's value after the event; null for deletes and expirations. */
  readonly value: string | null;
  /** The member that delivered it. */
  readonly member: string;
}

export interface WatchSegment {
  /** The waitIndex this segment started from: it covers every index from here on... */
  readonly fromIndex: number;
  readonly events: WatchEvent[];
  /** ...up to the last event seen, or up to this index when the segment ended cleanly. */
  endReason: string | null;
}

export interface WatchMember {
  readonly name: string;
  readonly clientUrl: string;
}

/** A long poll is re-sent after this long without an event (to any member). */
const pollMsMax = 4000;
const retryPauseMs = 100;

export const watchPrefix = '/jepsen';

export class LongPollWatcher {
  readonly segments: WatchSegment[] = [];
  nextIndex: number;
  requests = 0;
  cleared = 0;
  private stopped = false;
  private readonly abort = new AbortController();
  private loop: Promise<void> | null = null;

  constructor(
    readonly id: number,
    private readonly members: readonly WatchMember[],
    private readonly random: Prng,
    fromIndex: number,
  ) {
    this.nextIndex = fromIndex;
    this.segments.push({ fromIndex, events: [], endReason: null });
  }

  /** The last index this watcher claims to have seen everything up to. */
  get coveredTo(): number {
    return this.nextIndex - 1;
  }

  start(): void {
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.abort.abort();
    await this.loop;
  }

  /** Waits until this watcher has seen past `index`, up to `timeoutMs`; false if it did not. */
  async reach(index: number, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (this.coveredTo < index && Date.now() < deadline) await sleep(50);
    return this.coveredTo >= index;
  }

  private async run(): Promise<void> {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    let member = this.random.pick(this.members);
    while (!this.stopped) {
      const ok = await this.poll(member, agent);
      if (!ok && !this.stopped) {
        member = this.random.pick(this.members);
        await sleep(retryPauseMs);
      }
    }
    agent.destroy();
  }

  /** One long poll; false when it got no event (the watcher then moves to another member). */
  private async poll(member: WatchMember, agent: http.Agent): Promise<boolean> {
    this.requests++;
    const url = `${member.clientUrl}/v2/keys${watchPrefix}?wait=true&recursive=true` +
      `&waitIndex=${this.nextIndex}`;
    const answer = await httpRequest(url, {
      method: 'GET', timeoutMs: pollMsMax, agent, signal: this.abort.signal,
    });
    if (answer.kind !== 'answer') return false; // timed out (paused, cut off?) or down
    const code = errorCodeOf(answer.body);
    if (code === 401) {
      this.restartAfterCleared(answer.body, answer.etcdIndex);
      return true;
    }
    const node = nodeOf(answer.body);
    const action = answer.body?.['action'];
    if (answer.status !== 200 || node === null || typeof action !== 'string') return false;
    this.record({
      index: node.modifiedIndex, action, key: node.key,
      value: typeof node.value === 'string' ? node.value : null, member: member.name,
    });
    return true;
  }

  private record(event: WatchEvent): void {
    const segment = this.segments[this.segments.length - 1] as WatchSegment;
    segment.events.push(event);
    // A duplicate or backwards event is kept (the checker reports it); never move backwards.
    this.nextIndex = Math.max(this.nextIndex, event.index + 1);
  }

  /** 401: events from nextIndex on were dropped from the history; resume after kvd's index. */
  private restartAfterCleared(body: Record<string, unknown> | null, header: number | null): void {
    this.cleared++;
    const segment = this.segments[this.segments.length - 1] as WatchSegment;
    segment.endReason = `401 history cleared at waitIndex ${this.nextIndex}`;
    const reported = typeof body?.['index'] === 'number' ? body['index'] : header ?? this.nextIndex;
    const fromIndex = Math.max(this.nextIndex, reported + 1);
    this.nextIndex = fromIndex;
    this.segments.push({ fromIndex, events: [], endReason: null });
  }
}
