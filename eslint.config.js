// @ts-check
const path = require('node:path');
const js = require('@eslint/js');
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
        node.callee.type === 'Identifier' && node.callee.name === 'require' && node.arguments[0]?.type === 'Literal' && check(node.arguments[0], node.arguments[0].value),
    };
  },
};

module.exports = tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', '.refinery/**', 'test-artifacts/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    plugins: { refinery: { rules: { 'context-boundaries': contextBoundaries } } },
    rules: {
      'refinery/context-boundaries': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
    },
  },
  {
    files: ['**/*.js'],
    languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly', module: 'writable', __dirname: 'readonly', console: 'readonly', process: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
