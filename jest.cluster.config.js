// The RabbitMQ cluster test (`npm run test:cluster`): it starts three RabbitMQ nodes of its own on
// this machine (ports 5701-5703, 25701-25703) and uses the real PostgreSQL; see README.
const unit = require('./jest.config');

module.exports = {
  ...unit,
  testMatch: ['<rootDir>/test/**/*.cluster.test.ts'],
  testPathIgnorePatterns: ['/node_modules/'],
  testTimeout: 180_000,
};
