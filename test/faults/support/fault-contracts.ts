import { z } from 'zod';
import { ContractRegistry, defineContract } from '../../../src/shared/messaging/contract-registry';

/** The one command the fault tests send: "record effect number i" (its own context, nothing real). */
export const RecordEffect = defineContract('fault-test.record-effect.v1', 'command', z.object({ i: z.number().int().nonnegative() }));

export function faultRegistry(): ContractRegistry {
  return new ContractRegistry().register(RecordEffect);
}
