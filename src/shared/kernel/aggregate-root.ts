/** Records what happened; the application layer pulls the events and writes them to the outbox. */
export abstract class AggregateRoot<E> {
  private pending: E[] = [];

  protected record(event: E): void {
    this.pending.push(event);
  }

  pullEvents(): E[] {
    const events = this.pending;
    this.pending = [];
    return events;
  }
}
