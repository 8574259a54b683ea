/**
 * The engine's messages name the action's inputs (`Check that dest-api-key is …`, `set create-owner: true`);
 * on the command line the same advice must name the flag to change (`--dest-algo-owner`) or the
 * environment variable to set (`DEST_API_KEY`).
 */
import { INPUT_FLAGS } from './flags.js'
import { ADMIN_KEY_VARIABLES, KEY_INPUTS, keyVariablesOf } from './keys.js'

interface Rewrite {
  readonly pattern: RegExp
  readonly replacement: string
}

// Not inside a longer name, a host (`dest-cluster.example.com`), a path or a flag already.
const BEFORE = String.raw`(?<![\w./-])`
const AFTER = String.raw`(?![\w-]|[./]\w)`

function escaped(name: string): string {
  return name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

/** `name: true` → the switch, `name: value` → `--name value`, `'name'` → `--name`, a hyphenated name → `--name`. */
function flagRewrites(input: string, isSwitch: boolean): Rewrite[] {
  const name = escaped(input)
  const rewrites: Rewrite[] = [
    ...(isSwitch ? [{ pattern: new RegExp(`${BEFORE}${name}: true${AFTER}`, 'g'), replacement: `--${input}` }] : []),
    { pattern: new RegExp(`'${name}'`, 'g'), replacement: `--${input}` }
  ]
  // A one-word input (`algorithms`, `mode`) is also an ordinary word: only its quoted and `mode: accounts`
  // forms are its name. A hyphenated one is its name wherever it stands (`source-version: give …` is prose).
  if (input.includes('-')) rewrites.push({ pattern: new RegExp(`${BEFORE}${name}${AFTER}`, 'g'), replacement: `--${input}` })
  else if (!isSwitch) rewrites.push({ pattern: new RegExp(`${BEFORE}${name}: (?=[\\w-]+${AFTER})`, 'g'), replacement: `--${input} ` })
  return rewrites
}

function variableRewrites(input: string, variable: string): Rewrite[] {
  return [`'${input}'`, input].map(form => ({
    pattern: new RegExp(`${BEFORE}${escaped(form)}${AFTER}`, 'g'),
    replacement: variable
  }))
}

const BY_NAME: ReadonlyArray<readonly [string, Rewrite[]]> = [
  ...KEY_INPUTS.map(input => [input, variableRewrites(input, keyVariablesOf(input)[0])] as const),
  ...Object.entries(ADMIN_KEY_VARIABLES).map(([input, variable]) => [input, variableRewrites(input, variable)] as const),
  ...INPUT_FLAGS.map(flag => [flag.input, flagRewrites(flag.input, flag.value === undefined)] as const)
]

// Longer names first (`dest-api-key-owner` before `dest-api-key`); each name's own forms in the order above.
const REWRITES: readonly Rewrite[] = [...BY_NAME].sort(([a], [b]) => b.length - a.length).flatMap(([, rewrites]) => rewrites)

export function inCommandLineTerms(message: string): string {
  const named = REWRITES.reduce((text, { pattern, replacement }) => text.replace(pattern, replacement), message)
  return named.replace(/\bthis action\b/g, 'this tool')
}

/** The results with their errors in command-line terms, for the JSON, the table and the progress display. */
export function reportInCommandLineTerms<T extends { readonly results: ReadonlyArray<{ readonly error?: string }> }>(report: T): T {
  return {
    ...report,
    results: report.results.map(result => (result.error ? { ...result, error: inCommandLineTerms(result.error) } : result))
  }
}
