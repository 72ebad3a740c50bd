/**
 * Runs tasks of one key one after another, in the order they were handed in; tasks of different
 * keys run concurrently. This orders a key within one process only: competing consumers in other
 * processes, and redeliveries after a lost connection, can still interleave a key's messages.
 */
export class KeySerializer {
  private readonly tails = new Map<string, Promise<void>>();

  run(key: string, task: () => Promise<void>): Promise<void> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const tail = previous.then(task).catch(() => undefined);
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return tail;
  }
}
