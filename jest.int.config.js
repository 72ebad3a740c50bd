// Integration tests: the real PostgreSQL and RabbitMQ on this machine (see README).
const unit = require('./jest.config');

module.exports = {
  ...unit,
  testMatch: ['<rootDir>/test/**/*.int.test.ts'],
  testPathIgnorePatterns: ['/node_modules/'],
  testTimeout: 60_000,
};
