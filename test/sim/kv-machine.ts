// The simulator's state machine: a tiny key/value map with write, compare-and-set and delete,
// deduplicating commands by request ID (a duplicated forwarded proposal applies once).
// Test-only.
export interface KvCommand {
  readonly id: number;
  readonly op: 'write' | 'cas' | 'delete';
  readonly key: string;
  readonly value?: string;
  readonly expected?: string;
}

export interface KvResult {
  readonly ok: boolean;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function encodeCommand(command: KvCommand): Uint8Array {
  return encoder.encode(JSON.stringify(command));
}

export function decodeCommand(data: Uint8Array): KvCommand | null {
  if (data.length === 0) return null;
  return JSON.parse(decoder.decode(data)) as KvCommand;
}

export class KvMachine {
  applied = 0;
  values = new Map<string, string>();
  results = new Map<number, KvResult>();

  apply(index: number, data: Uint8Array): { id: number; result: KvResult } | null {
    if (index <= this.applied) throw new Error(`apply ${index} at or below applied ${this.applied}`);
    this.applied = index;
    const command = decodeCommand(data);
    if (command === null) return null;
    const seen = this.results.get(command.id);
    if (seen !== undefined) return { id: command.id, result: seen };
    const result = this.execute(command);
    this.results.set(command.id, result);
    return { id: command.id, result };
  }

  private execute(c: KvCommand): KvResult {
    const current = this.values.get(c.key);
    switch (c.op) {
      case 'write':
        this.values.set(c.key, c.value as string);
        return { ok: true };
      case 'cas':
        if (current !== c.expected) return { ok: false };
        this.values.set(c.key, c.value as string);
        return { ok: true };
      case 'delete':
        return { ok: this.values.delete(c.key) };
    }
  }

  skipTo(index: number): void {
    this.applied = index;
  }

  serialize(): Uint8Array {
    return encoder.encode(JSON.stringify({
      applied: this.applied, values: [...this.values], results: [...this.results],
    }));
  }

  static deserialize(data: Uint8Array): KvMachine {
    const raw = JSON.parse(decoder.decode(data)) as {
      applied: number; values: [string, string][]; results: [number, KvResult][];
    };
    const machine = new KvMachine();
    machine.applied = raw.applied;
    machine.values = new Map(raw.values);
    machine.results = new Map(raw.results);
    return machine;
  }

  clone(): KvMachine {
    return KvMachine.deserialize(this.serialize());
  }
}
