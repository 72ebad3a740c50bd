import { Messaging1732400000000 } from './1732400000000-messaging';

/** Every migration, in order. A context adds its own file here; start-up and `npm run migrate` run them. */
export const allMigrations = [Messaging1732400000000];
