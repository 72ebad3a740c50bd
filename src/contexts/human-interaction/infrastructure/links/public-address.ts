import { inject, injectable } from 'inversify';
import type { HumanInteractionOptions } from '../../human-interaction.options';
import { HUMAN_INTERACTION } from '../../human-interaction.tokens';

/**
 * Where people reach the service: PUBLIC_URL when configured (behind a proxy it must be), else
 * the address the service listens on, known once it listens.
 */
@injectable()
export class PublicAddress {
  private listening: string | undefined;
  private readonly configured: string | undefined;

  constructor(@inject(HUMAN_INTERACTION.Options) options: HumanInteractionOptions) {
    this.configured = options.publicUrl?.replace(/\/+$/, '');
  }

  useListeningAddress(url: string): void {
    this.listening = url.replace(/\/+$/, '');
  }

  /** The address, or undefined before the service listens without PUBLIC_URL. */
  known(): string | undefined {
    return this.configured ?? this.listening;
  }

  get(): string {
    const url = this.known();
    if (!url) throw new Error('the public address is not known yet: set PUBLIC_URL or let the service listen first');
    return url;
  }
}
