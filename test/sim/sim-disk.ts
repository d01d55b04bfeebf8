// The simulated disk of one member: what survives a crash. Synced writes survive; an unsynced
// hard-state write (commit only) is lost on crash unless a later synced write carried it.
// The state machine is written with its applied index atomically at apply. Faults it may
// inject: losing unsynced writes. Bug switch 'forget-vote' drops the vote. Test-only.
import type { Entry, HardState, PersistWork, Snapshot } from '../../src/raft/index.js';
import { EMPTY_CONF } from '../../src/raft/index.js';
import { KvMachine } from './kv-machine.js';

export class SimDisk {
  hardState: HardState = { term: 0, vote: '', commit: 0 };
  snapshot: Snapshot = { meta: { index: 0, term: 0, conf: EMPTY_CONF }, data: new Uint8Array(0) };
  entries: Entry[] = [];
  kv = new KvMachine();
  private unsyncedHardState: HardState | null = null;

  constructor(private readonly forgetVote: boolean) {}

  write(work: PersistWork): void {
    if (work.snapshot) {
      this.snapshot = work.snapshot;
      this.entries = [];
      this.kv = KvMachine.deserialize(work.snapshot.data);
    }
    if (work.entries.length > 0) {
      const first = work.entries[0]!.index;
      const keep = first - this.snapshot.meta.index - 1;
      this.entries = [...this.entries.slice(0, Math.max(0, keep)), ...work.entries];
    }
    if (work.hardState) {
      const hardState = this.forgetVote ? { ...work.hardState, vote: '' } : work.hardState;
      if (work.sync) {
        this.hardState = hardState;
        this.unsyncedHardState = null;
      } else {
        this.unsyncedHardState = hardState;
      }
    } else if (work.sync && this.unsyncedHardState) {
      this.hardState = this.unsyncedHardState;
      this.unsyncedHardState = null;
    }
  }

  /** What a running member sees: its unsynced writes too. */
  currentHardState(): HardState {
    return this.unsyncedHardState ?? this.hardState;
  }

  compact(snapshot: Snapshot): void {
    const drop = snapshot.meta.index - this.snapshot.meta.index;
    this.entries = this.entries.slice(drop);
    this.snapshot = snapshot;
  }

  crash(): void {
    this.unsyncedHardState = null;
  }
}
