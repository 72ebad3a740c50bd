// Two projects: `unit` needs nothing outside the process; `integration` needs the real
// RabbitMQ and PostgreSQL (see README). Both compile TypeScript with swc, decorator metadata on.
const fs = require('node:fs');
const swc = JSON.parse(fs.readFileSync(`${__dirname}/.swcrc`, 'utf8'));
delete swc.$schema;

const common = {
  transform: { '^.+\\.(t|j)s$': ['@swc/jest', swc] },
  // inversify 8 and uuid ship ES modules only; jest's CommonJS runtime needs them transformed.
  transformIgnorePatterns: ['/node_modules/(?!(inversify|@inversifyjs|uuid)/)'],
  setupFiles: ['reflect-metadata'],
  testEnvironment: 'node',
};

module.exports = {
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/test/**/*.test.ts'], testPathIgnorePatterns: ['\\.int\\.test\\.ts$'] },
    { ...common, displayName: 'integration', testMatch: ['<rootDir>/test/**/*.int.test.ts'] },
  ],
};
