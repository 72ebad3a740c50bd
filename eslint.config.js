// @ts-check
const path = require('node:path');
const js = require('@eslint/js');
const prettier = require('eslint-config-prettier');
const tseslint = require('typescript-eslint');

const CONTEXTS_DIR = path.join(__dirname, 'src', 'contexts');

/** The published-language rule: a context imports another context only through its contracts/. */
const contextBoundaries = {
  meta: { type: 'problem', messages: { crossing: "{{from}} may not import {{target}}: another context's code is reachable only through its contracts/" } },
  create(context) {
    const file = context.filename;
    const rel = path.relative(CONTEXTS_DIR, file);
    if (rel.startsWith('..')) return {};
    const own = rel.split(path.sep)[0];
    const check = (node, spec) => {
      if (typeof spec !== 'string') return;
      let target;
      if (spec.startsWith('.')) target = path.resolve(path.dirname(file), spec);
      else if (spec.includes('contexts/')) target = path.join(CONTEXTS_DIR, spec.slice(spec.indexOf('contexts/') + 'contexts/'.length));
      else return;
      const targetRel = path.relative(CONTEXTS_DIR, target);
      if (targetRel.startsWith('..')) return;
      const [other, area] = targetRel.split(path.sep);
      if (other === own || area === 'contracts') return;
      context.report({ node, messageId: 'crossing', data: { from: own, target: spec } });
    };
    return {
      ImportDeclaration: (node) => check(node.source, node.source.value),
      ExportNamedDeclaration: (node) => node.source && check(node.source, node.source.value),
      ExportAllDeclaration: (node) => check(node.source, node.source.value),
      ImportExpression: (node) => node.source.type === 'Literal' && check(node.source, node.source.value),
      CallExpression: (node) =>
        node.callee.type === 'Identifier' &&
        node.callee.name === 'require' &&
        node.arguments[0]?.type === 'Literal' &&
        check(node.arguments[0], node.arguments[0].value),
    };
  },
};

module.exports = tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', '.refinery/**', 'test-artifacts/**'] },
  js.configs.recommended,
  // Type-aware: every .ts file is linted with the types tsconfig.json gives it.
  ...tseslint.configs.strictTypeChecked.map((config) => ({ ...config, files: ['**/*.ts'] })),
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: __dirname } },
    plugins: { refinery: { rules: { 'context-boundaries': contextBoundaries } } },
    rules: {
      'refinery/context-boundaries': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      // Named here so that they stay on whatever the preset does: a promise nobody awaits, or one
      // passed where a plain callback is expected, loses its error; a switch must name every case.
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      // Numbers and booleans read fine in a template; objects and undefined do not.
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true }],
      // Off: `async` on a method that implements a Promise-returning port is how a throw becomes a
      // rejection, await or not. The mistakes that matter are no-floating-promises' and
      // no-misused-promises'.
      '@typescript-eslint/require-await': 'off',
      // `(x) => void doSomething(x)` style callbacks are clear enough.
      '@typescript-eslint/no-confusing-void-expression': ['error', { ignoreArrowShorthand: true }],
    },
  },
  {
    files: ['test/**/*.ts'],
    rules: {
      // jest's asymmetric matchers (expect.any, expect.objectContaining, …) are typed `any`: every
      // expectation that uses one would need a cast. Member access and calls on `any` stay errors.
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      // `let app: App` set in beforeAll is undefined when beforeAll failed: afterAll's `app?.stop()`
      // is needed although the declared type says it cannot be.
      '@typescript-eslint/no-unnecessary-condition': 'off',
    },
  },
  {
    files: ['**/*.js'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: { require: 'readonly', module: 'writable', __dirname: 'readonly', console: 'readonly', process: 'readonly' },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  // Formatting is prettier's (`npm run format:check`); no lint rule argues with it.
  prettier,
);
