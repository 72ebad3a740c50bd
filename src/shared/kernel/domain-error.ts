/**
 * A rule of the domain refused the request (an illegal transition, a stale decision). Retrying
 * the same message can never succeed, so the transport dead-letters it at once with this message.
 */
export abstract class DomainError extends Error {
  abstract readonly code: string;
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}
