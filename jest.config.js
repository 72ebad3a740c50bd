// Unit, contract and acceptance tests: nothing outside the process (in-memory queue, PGlite).
// TypeScript compiles with swc, decorator metadata on (see .swcrc).
const fs = require('node:fs');
const swc = JSON.parse(fs.readFileSync(`${__dirname}/.swcrc`, 'utf8'));
delete swc.$schema;

module.exports = {
  transform: { '^.+\\.(t|j)s$': ['@swc/jest', swc] },
  // inversify 8, uuid, cookie (fastify's), content-disposition (@fastify/static's, for /docs) and the AI SDK (ai, @ai-sdk/*) ship ES modules only; jest's CommonJS runtime needs them transformed.
  transformIgnorePatterns: ['/node_modules/(?!(inversify|@inversifyjs|uuid|cookie|content-disposition|ai|@ai-sdk|@standard-schema|eventsource-parser)/)'],
  setupFiles: ['reflect-metadata'],
  testEnvironment: 'node',
  // Opening an in-memory PGlite takes a few seconds on a quiet 2-core machine, and over 30 s when
  // the cores are shared (three suites' beforeAll timed out at 30 s in a CI run at load ~6). Tests
  // that wait for a condition bound the wait themselves; this only bounds a hang.
  testTimeout: 90_000,
  // One worker per core (jest's default leaves one core to itself): on 2 cores the suites spend
  // most of their time opening PGlite and compiling (912 tests: 6.3 min with two workers, quiet machine).
  maxWorkers: '100%',
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '\\.int\\.test\\.ts$', '\\.cluster\\.test\\.ts$'],
};
