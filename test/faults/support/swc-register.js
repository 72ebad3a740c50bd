// Lets a spawned `node -r ./swc-register.js child.ts` run the project's TypeScript without a
// build: each .ts file is compiled on require with the same swc options jest uses (.swcrc:
// legacy decorators with metadata, CommonJS), so the child runs exactly the code under test.
const fs = require('node:fs');
const path = require('node:path');
const { transformSync } = require('@swc/core');

const options = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', '..', '.swcrc'), 'utf8'));
delete options.$schema;

require.extensions['.ts'] = (module, filename) => {
  const { code } = transformSync(fs.readFileSync(filename, 'utf8'), { ...options, filename, swcrc: false, configFile: false });
  module._compile(code, filename);
};
