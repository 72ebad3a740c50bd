/**
 * An in-process signal that a task's view (or one of its PRD versions) just committed, so open
 * task pages refresh at once instead of at their next periodic re-check. It only wakes listeners
 * in this process; a change applied by another process is found by that re-check.
 */
export class TaskViewChanges {
  private readonly listeners = new Map<string, Set<() => void>>();

  /** Listens for changes of one task; returns the function that stops listening. */
  subscribe(taskId: string, listener: () => void): () => void {
    const set = this.listeners.get(taskId) ?? new Set();
    set.add(listener);
    this.listeners.set(taskId, set);
    return () => {
      set.delete(listener);
      if (set.size === 0 && this.listeners.get(taskId) === set) this.listeners.delete(taskId);
    };
  }

  /** Call after the commit: a listener reads the view again and must find the change there. */
  changed(taskId: string): void {
    for (const listener of [...(this.listeners.get(taskId) ?? [])]) {
      try {
        listener();
      } catch {
        // A listener's failure is its own business; the handler that committed has succeeded.
      }
    }
  }
}
