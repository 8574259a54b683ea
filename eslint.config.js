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
  },
  {
    // The process (its environment, exit code, signals, streams) belongs to the front ends, which hand
    // the run what it needs as values. git-command.ts may signal the process group of a git it started.
    files: ['src/**/*.ts'],
    ignores: ['src/main.ts', 'src/post.ts', 'src/index.ts', 'src/cli/**', 'src/process/**', 'src/git/git-command.ts'],
    rules: {
      'no-restricted-globals': ['error', { name: 'process', message: 'Only the front ends use process: take what you need as a value.' }],
      'no-restricted-imports': [
        'error',
        { paths: [{ name: 'node:process', message: 'Only the front ends use process: take what you need as a value.' }] }
      ]
    }
  }
)
