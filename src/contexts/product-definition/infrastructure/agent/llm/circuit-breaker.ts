import type { Clock } from '../../../../../shared/kernel/clock';
import type { AgentAvailability } from '../../../domain/product-manager-agent';

export interface CircuitBreakerOptions {
  /** Consecutive provider failures that open the breaker. */
  readonly failureThreshold: number;
  /** How long it stays open before one probe call is let through. */
  readonly cooldownMs: number;
}

type State =
  | { readonly name: 'closed'; readonly failures: number }
  | { readonly name: 'open'; readonly until: Date; readonly reason: string }
  | { readonly name: 'half-open'; readonly probe: Promise<void>; readonly settle: () => void };

/** What a caller may do now: call, wait for the probe in flight and ask again, or not call. */
export type Permission =
  | { readonly kind: 'call'; readonly probe: boolean }
  | { readonly kind: 'wait'; readonly probe: Promise<void> }
  | { readonly kind: 'refused'; readonly until: Date; readonly reason: string };

/**
 * Closed → (N consecutive provider failures) → open for the cool-down → half-open: one probe call
 * goes through; its success closes the breaker, its failure opens it again. Calls that arrive
 * while the probe is in flight wait for its outcome rather than fail, so a pool that claimed
 * several items as the cool-down ended does not spend their attempts. Time comes from the
 * injected clock only: the breaker sets no timer (the pool asks `availability()` when it polls).
 */
export class CircuitBreaker {
  private state: State = { name: 'closed', failures: 0 };

  constructor(
    private readonly options: CircuitBreakerOptions,
    private readonly clock: Clock,
    private readonly onChange: (change: { readonly to: 'open' | 'half-open' | 'closed'; readonly reason?: string; readonly until?: Date }) => void = () =>
      undefined,
  ) {
    if (options.failureThreshold < 1) throw new Error('the breaker needs a failure threshold of at least 1');
  }

  availability(): AgentAvailability {
    const state = this.state;
    if (state.name === 'open') {
      return this.clock.now() < state.until ? { state: 'paused', reason: state.reason, until: state.until } : { state: 'available' };
    }
    if (state.name === 'half-open') return { state: 'paused', reason: 'the circuit breaker is probing the endpoint with one call' };
    return { state: 'available' };
  }

  /** Asked before every call. A `call` with `probe: true` must be followed by `succeeded` or `failed`. */
  permission(): Permission {
    const state = this.state;
    if (state.name === 'closed') return { kind: 'call', probe: false };
    if (state.name === 'half-open') return { kind: 'wait', probe: state.probe };
    if (this.clock.now() < state.until) return { kind: 'refused', until: state.until, reason: state.reason };
    let settle: () => void = () => undefined;
    const probe = new Promise<void>((resolve) => (settle = resolve));
    this.state = { name: 'half-open', probe, settle };
    this.onChange({ to: 'half-open' });
    return { kind: 'call', probe: true };
  }

  /** The endpoint answered (even with a reply that broke the schema, or a client error). */
  succeeded(): void {
    const state = this.state;
    if (state.name === 'half-open') {
      this.state = { name: 'closed', failures: 0 };
      state.settle();
      this.onChange({ to: 'closed' });
    } else if (state.name === 'closed') {
      this.state = { name: 'closed', failures: 0 };
    }
  }

  /** A provider failure: timeout, 5xx, 429, network error. */
  failed(description: string): void {
    const state = this.state;
    if (state.name === 'open') return;
    const failures = state.name === 'closed' ? state.failures + 1 : this.options.failureThreshold;
    if (failures < this.options.failureThreshold) {
      this.state = { name: 'closed', failures };
      return;
    }
    const until = new Date(this.clock.now().getTime() + this.options.cooldownMs);
    const reason =
      state.name === 'half-open'
        ? `the probe call after the cool-down failed (${description}); paused again`
        : `${failures} consecutive LLM endpoint failures, the last: ${description}`;
    this.state = { name: 'open', until, reason };
    if (state.name === 'half-open') state.settle();
    this.onChange({ to: 'open', reason, until });
  }
}
