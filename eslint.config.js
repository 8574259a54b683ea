import tseslint from 'typescript-eslint'

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', 'bench/.work/', '.tmp/', '__tests__/fixtures/dependency-corpus/'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-syntax': [
        'error',
        {
          selector: "CallExpression[callee.property.name='exec'][callee.object.name='child_process']",
          message: 'Run processes with an argument array (spawn/execFile), never through a shell.'
        }
      ]
    }
  },
  {
    // The product's code proves a value is there instead of asserting it; tests may assert what they just checked.
    files: ['src/**/*.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'error' }
  }
)
