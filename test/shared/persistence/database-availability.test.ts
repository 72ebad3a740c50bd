import { z } from 'zod';
import { looksLikeLostConnection } from '../../../src/shared/kernel/availability';
import { RetryableError } from '../../../src/shared/kernel/errors';
import { defineContract, ContractRegistry, message } from '../../../src/shared/messaging/contract-registry';
import { createEnvelope } from '../../../src/shared/messaging/envelope';
import { InMemoryMessageQueue } from '../../../src/shared/messaging/in-memory/in-memory-message-queue';
import { outageAwareQueue } from '../../../src/shared/messaging/outage-aware-queue';
import { DatabaseAvailability } from '../../../src/shared/persistence/database-availability';
import { silentLogger } from '../../../src/shared/logging/logger';
import { eventually } from '../../support/eventually';

/** A database the test switches off and on: the probe fails while it is off, as a refused connect does. */
class SwitchedDatabase {
  up = true;
  probes = 0;
  probe = async (): Promise<void> => {
    this.probes += 1;
    if (!this.up) throw refused();
  };
}

function refused(): Error {
  return Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
}

const availabilityOf = (db: SwitchedDatabase) =>
  new DatabaseAvailability({ probe: db.probe, logger: silentLogger(), probeIntervalMs: 5, maxProbeIntervalMs: 20 });

describe('looksLikeLostConnection', () => {
  it.each<[string, unknown]>([
    ['a refused connect', refused()],
    [
      'a reset inside typeorm’s QueryFailedError',
      Object.assign(new Error('query failed'), { driverError: Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }) }),
    ],
    ['pg’s terminated connection', new Error('Connection terminated unexpectedly')],
    ['PostgreSQL starting up (57P03)', Object.assign(new Error('the database system is starting up'), { code: '57P03' })],
    ['a wrapped cause', new RetryableError('could not record', { cause: refused() })],
    ['an AggregateError of refused connects (IPv4 and IPv6)', Object.assign(new AggregateError([refused(), refused()]), { code: undefined })],
  ])('says yes to %s', (_, error) => expect(looksLikeLostConnection(error)).toBe(true));

  it.each<[string, unknown]>([
    ['a unique violation', Object.assign(new Error('duplicate key value violates unique constraint'), { code: '23505' })],
    ['a domain refusal', new Error('task 7 is APPROVED')],
    ['not an error at all', 'ECONNREFUSED'],
  ])('says no to %s', (_, error) => expect(looksLikeLostConnection(error)).toBe(false));
});

describe('DatabaseAvailability', () => {
  it('does not probe for a failure that is not about the connection, and calls it no outage', async () => {
    const db = new SwitchedDatabase();
    const availability = availabilityOf(db);
    expect(await availability.diagnose(new Error('duplicate key'))).toBeUndefined();
    expect(db.probes).toBe(0);
    availability.close();
  });

  it('calls a connection-shaped failure no outage when the probe answers (the statement failed, not the database)', async () => {
    const db = new SwitchedDatabase();
    const availability = availabilityOf(db);
    expect(await availability.diagnose(refused())).toBeUndefined();
    expect(db.probes).toBe(1);
    expect(availability.outages()).toEqual([]);
    availability.close();
  });

  it('names PostgreSQL while the probe fails, holds waiters until it answers, then reports nothing down', async () => {
    const db = new SwitchedDatabase();
    const availability = availabilityOf(db);
    db.up = false;
    const outage = await availability.diagnose(refused());
    expect(outage).toMatchObject({ dependency: 'PostgreSQL', reason: 'connect ECONNREFUSED 127.0.0.1:5432' });
    expect(availability.outages()).toEqual([outage]);
    let woken = false;
    const waiting = availability.whenAvailable().then((up) => (woken = up));
    // Probes keep failing while it is down: nobody is woken.
    const probesSoFar = db.probes;
    await eventually(() => expect(db.probes).toBeGreaterThan(probesSoFar + 2));
    expect(woken).toBe(false);
    db.up = true;
    expect(await waiting).toBe(true);
    expect(availability.outages()).toEqual([]);
    availability.close();
  });

  it('lets a waiter go when its signal aborts (the consumer stops)', async () => {
    const db = new SwitchedDatabase();
    const availability = availabilityOf(db);
    db.up = false;
    await availability.diagnose(refused());
    const stop = new AbortController();
    const waiting = availability.whenAvailable(stop.signal);
    stop.abort();
    expect(await waiting).toBe(false);
    availability.close();
  });
});

const Pinged = defineContract('availability-test.pinged.v1', 'event', z.object({ n: z.number().int() }));

describe('a consumer during an outage', () => {
  it('holds a message that failed on the outage and runs it again when the database answers, spending no attempt', async () => {
    const db = new SwitchedDatabase();
    const availability = availabilityOf(db);
    const transport = new InMemoryMessageQueue({
      registry: new ContractRegistry().register(Pinged),
      retryPolicy: { maxAttempts: 2, initialDelayMs: 1, maxDelayMs: 5, multiplier: 2, jitter: 0 },
    });
    const stop = new AbortController();
    const queue = outageAwareQueue(transport, { availability, logger: silentLogger(), signal: stop.signal });
    const attempts: Array<number | undefined> = [];
    const handled: number[] = [];
    await queue.subscribeToEvents({
      consumer: 'availability-test.consumer',
      types: [Pinged.type],
      handler: async (envelope, delivery) => {
        attempts.push(delivery?.attempt);
        // Reading the database fails while it is off, as a handler's transaction would.
        await db.probe();
        handled.push((envelope.payload as { n: number }).n);
      },
    });
    db.up = false;
    await queue.publishEvent(createEnvelope(message(Pinged, 'k', { n: 1 })));
    await eventually(() => expect(availability.outages()).toHaveLength(1));
    // Many probes fail, far more than the two attempts the policy allows: none of it is an attempt.
    const probesSoFar = db.probes;
    await eventually(() => expect(db.probes).toBeGreaterThan(probesSoFar + 3));
    expect(handled).toEqual([]);
    db.up = true;
    await eventually(() => expect(handled).toEqual([1]));
    await transport.whenIdle();
    expect(attempts).toEqual([1, 1]);
    expect(await transport.listDeadLetters()).toEqual([]);
    stop.abort();
    availability.close();
    await transport.close();
  });
});
