import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

/** The real PostgreSQL the integration tests use (trust auth on this machine, see docs/development.md). */
export const ADMIN_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface ScratchDatabase {
  readonly url: string;
  drop(): Promise<void>;
}

/** An empty database of its own for one test file, dropped afterwards. */
export async function createScratchDatabase(): Promise<ScratchDatabase> {
  const name = `refinery_it_${randomBytes(6).toString('hex')}`;
  const admin = new Client({ connectionString: ADMIN_DATABASE_URL });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(ADMIN_DATABASE_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const client = new Client({ connectionString: ADMIN_DATABASE_URL });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}
