// The simulator's clock and event queue: events run in (time, insertion) order, so a run is
// a pure function of its seed. Test-only; imports nothing from src/ but src/lib.
export class Scheduler {
  now = 0;
  private seq = 0;
  private heap: { time: number; seq: number; run: () => void }[] = [];

  at(time: number, run: () => void): void {
    this.push({ time: Math.max(time, this.now), seq: this.seq++, run });
  }

  after(delay: number, run: () => void): void {
    this.at(this.now + delay, run);
  }

  /** Runs events up to and including `time`; returns how many ran. */
  runUntil(time: number, eventsMax = Number.MAX_SAFE_INTEGER): number {
    let count = 0;
    while (this.heap.length > 0 && (this.heap[0] as { time: number }).time <= time) {
      const event = this.pop();
      this.now = event.time;
      event.run();
      if (++count >= eventsMax) throw new Error(`more than ${eventsMax} events before ${time}`);
    }
    this.now = Math.max(this.now, time);
    return count;
  }

  private push(item: { time: number; seq: number; run: () => void }): void {
    const heap = this.heap;
    heap.push(item);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!less(heap[i]!, heap[parent]!)) break;
      [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
      i = parent;
    }
  }

  private pop(): { time: number; seq: number; run: () => void } {
    const heap = this.heap;
    const top = heap[0]!;
    const last = heap.pop()!;
    if (heap.length > 0) {
      heap[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < heap.length && less(heap[l]!, heap[m]!)) m = l;
        if (r < heap.length && less(heap[r]!, heap[m]!)) m = r;
        if (m === i) break;
        [heap[i], heap[m]] = [heap[m]!, heap[i]!];
        i = m;
      }
    }
    return top;
  }
}

function less(a: { time: number; seq: number }, b: { time: number; seq: number }): boolean {
  return a.time < b.time || (a.time === b.time && a.seq < b.seq);
}
