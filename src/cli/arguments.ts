import { Command, CommanderError, Option } from 'commander'
import type { InputReader } from '../inputs/parse.js'
import { ADMIN_KEY_VARIABLES, KEY_INPUTS, isAdminKeyInput, isKeyInput, keyVariablesOf } from './keys.js'
import { defaultOf } from '../inputs/defaults.js'
import { INPUT_FLAGS, type InputFlag } from './flags.js'
import { lenientDestinationEntries } from '../inputs/destination-entries.js'

/** A command line that cannot be used; the process exits with 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError'
}

export type ParsedCommandLine =
  | { readonly kind: 'run'; readonly inputs: Readonly<Record<string, string>>; readonly json: boolean; readonly verbose: boolean }
  /** --help or --version: commander has printed it. */
  | { readonly kind: 'shown' }

export interface HelpOutput {
  writeOut(text: string): void
  writeErr(text: string): void
}

/**
 * Turns the arguments into input values. Throws UsageError for anything
 * unusable; a key passed as a flag is refused before commander sees it, so
 * no error message can echo it.
 */
export function parseCommandLine(argv: readonly string[], output: HelpOutput, version: string): ParsedCommandLine {
  refuseKeyFlags(argv)
  refuseUnknownFlags(argv)
  const program = buildProgram(output, version)
  try {
    program.parse(argv, { from: 'user' })
  } catch (error) {
    if (error instanceof CommanderError && error.exitCode === 0) return { kind: 'shown' }
    // Commander has already written its message (through writeErr).
    throw new UsageError(error instanceof CommanderError ? '' : String(error))
  }
  const options = program.opts<Record<string, string | boolean | undefined>>()
  const inputs = inputsOf(program, options)
  refuseKeysInDestinations(inputs.destinations)
  return { kind: 'run', inputs, json: options.json === true, verbose: options.verbose === true }
}

/** The reader parseConfig takes: flag values, and the keys from the environment or the prompt. */
export function inputReader(inputs: Readonly<Record<string, string>>, keys: Readonly<Record<string, string>>): InputReader {
  return name => (keys[name] ?? inputs[name] ?? '').trim()
}

/** Checked before commander, whose "unknown option '--x=value'" would echo the credential. */
function refuseKeyFlags(argv: readonly string[]): void {
  for (const argument of argv) {
    if (argument === '--') return
    const input = [...KEY_INPUTS, ...Object.keys(ADMIN_KEY_VARIABLES), 'github-token'].find(
      name => argument === `--${name}` || argument.startsWith(`--${name}=`)
    )
    if (input && isAdminKeyInput(input)) {
      throw new UsageError(
        `--${input} is not accepted: a command line is visible to other processes on this machine. Set the environment variable ${ADMIN_KEY_VARIABLES[input]} instead.`
      )
    }
    if (input && isKeyInput(input)) {
      const [primary, alternative] = keyVariablesOf(input)
      throw new UsageError(
        `--${input} is not accepted: a command line is visible to other processes on this machine. ` +
          `Set the environment variable ${primary} (or ${alternative}) instead, or run on a terminal to be asked for the key.`
      )
    }
    if (input)
      throw new UsageError(`--${input} is not accepted: GitHub deployments and plan comments are recorded by the GitHub Action only.`)
  }
}

/** Flags other than the inputs', with whether they take a value. */
const GENERAL_FLAGS: ReadonlyArray<readonly [string, boolean]> = [
  ['--json', false],
  ['--verbose', false],
  ['--version', false],
  ['--help', false],
  ['-V', false],
  ['-h', false]
]

/**
 * Checked before commander, whose "unknown option '--dest-apikey=…'" would
 * echo what follows the '=': a near-miss of a key flag carries a key. Names
 * the flag only, never its value.
 */
function refuseUnknownFlags(argv: readonly string[]): void {
  const known = new Map<string, boolean>([...INPUT_FLAGS.map(flag => [`--${flag.input}`, Boolean(flag.value)] as const), ...GENERAL_FLAGS])
  for (let i = 0; i < argv.length; i++) {
    const argument = argv[i]
    if (argument === '--') return
    if (!argument.startsWith('-') || argument === '-') continue
    const name = argument.startsWith('--') ? argument.split('=')[0] : argument.slice(0, 2)
    const takesValue = known.get(name)
    // Without a value attached, commander's own message names the flag and nothing else.
    if (takesValue === undefined && name !== argument) throw unknownFlag(name, [...known.keys()])
    if (takesValue === false) refuseSwitchValue(name, argument, argv[i + 1])
    if (takesValue && !argument.includes('=')) i++
  }
}

function unknownFlag(name: string, known: readonly string[]): UsageError {
  // The key flags are candidates too: `--dest-apikey` is most likely a key given the wrong way.
  const near = nearestFlag(name, [...known, ...KEY_INPUTS.map(input => `--${input}`)])
  const keyInput = KEY_INPUTS.find(input => near === `--${input}`)
  const hint = keyInput
    ? ` Did you mean ${near}? Keys are never flags: set ${keyVariablesOf(keyInput).join(' or ')} instead.`
    : near
      ? ` Did you mean ${near}?`
      : ''
  return new UsageError(`unknown flag '${name}' (its value is not shown).${hint} Run algorithmia-promote --help for every flag.`)
}

/** Words that show someone gave a switch a value (`--dry-run false`); only these are repeated back. */
const SWITCH_WORDS = /^(true|false|yes|no|on|off|0|1)$/i

/**
 * A switch is on when given and off when left out; commander would call `--dry-run false` "too many
 * arguments" and `--dry-run=false` an unknown option, without saying that the flag takes no value.
 */
function refuseSwitchValue(name: string, argument: string, next: string | undefined): void {
  const attached = argument.includes('=') ? argument.slice(argument.indexOf('=') + 1) : undefined
  const value = attached ?? (next !== undefined && !next.startsWith('-') ? next : undefined)
  if (value === undefined) return
  const shown = SWITCH_WORDS.test(value) ? `'${value}'` : 'a value'
  throw new UsageError(
    `${name} is a switch and takes no value (${shown} was given): write ${name} to turn it on, leave it out to keep it off.`
  )
}

/** The known flag closest to a mistyped one, if it is close enough to be what was meant. */
function nearestFlag(name: string, known: readonly string[]): string | undefined {
  let best: { flag: string; distance: number } | undefined
  for (const flag of known.filter(candidate => candidate.startsWith('--'))) {
    const distance = editDistance(name, flag)
    if (!best || distance < best.distance) best = { flag, distance }
  }
  return best && best.distance <= Math.max(2, Math.floor(name.length / 4)) ? best.flag : undefined
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const current = [i]
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1))
    }
    previous = current
  }
  return previous[b.length]
}

/** A key inside --destinations would be on the command line as much as --dest-api-key. */
function refuseKeysInDestinations(destinations: string | undefined): void {
  if (lenientDestinationEntries(destinations).some(entry => 'api-key' in entry)) {
    throw new UsageError(
      '--destinations gives an "api-key": a command line is visible to other processes on this machine. ' +
        'Give "api-key-env" instead, the name of an environment variable that holds the key.'
    )
  }
}

function buildProgram(output: HelpOutput, version: string): Command {
  const program = new Command('algorithmia-promote')
    .description(
      'Promote Algorithmia algorithms from a source cluster to a destination cluster: create, sync code as a new commit, build, publish, and map versions.'
    )
    .usage('[flags]')
    .exitOverride()
    .configureOutput({ writeOut: output.writeOut, writeErr: output.writeErr })
    .showHelpAfterError('(run algorithmia-promote --help for every flag)')
    .addHelpText('after', HELP_FOOTER)
  for (const flag of INPUT_FLAGS) program.addOption(optionOf(flag))
  program.optionsGroup('General:')
  program.option('--json', 'print the results as JSON on stdout (the default when stdout is not a terminal); logs go to stderr')
  program.option('--verbose', 'also log debug messages (retries, build polling)')
  program.version(version, '-V, --version', 'print the version')
  program.helpOption('-h, --help', 'show this help')
  return program
}

function optionOf(flag: InputFlag): Option {
  const defaultNote = flag.value && defaultOf(flag.input) ? ` (default: ${defaultOf(flag.input)})` : ''
  const option = new Option(flag.value ? `--${flag.input} <${flag.value}>` : `--${flag.input}`, flag.description + defaultNote).helpGroup(
    flag.group
  )
  // Repeating --algorithms adds names instead of replacing them.
  if (flag.input === 'algorithms' || flag.input === 'collections')
    option.argParser((value: string, previous?: string) => (previous ? `${previous},${value}` : value))
  return option
}

function inputsOf(program: Command, options: Record<string, string | boolean | undefined>): Record<string, string> {
  const inputs: Record<string, string> = {}
  for (const option of program.options) {
    const flag = INPUT_FLAGS.find(candidate => option.long === `--${candidate.input}`)
    const value = options[option.attributeName()]
    if (flag && value !== undefined) inputs[flag.input] = String(value)
  }
  return inputs
}

const HELP_FOOTER = `
API keys are never flags (other processes can read a command line). They come from
  SOURCE_API_KEY or SOURCE_ACCOUNT_API_KEY   key on the source cluster (read access)
  DEST_API_KEY   or DEST_ACCOUNT_API_KEY     key on the destination cluster ("manage my algorithms")
or, when these are not set and the command runs on a terminal, from a prompt that does not echo.
Admin keys (--mode accounts, --create-owner) come only from SOURCE_ADMIN_API_KEY and DEST_ADMIN_API_KEY.
With --destinations, each entry's "api-key-env" names the variable holding its key.
GitHub deployment records (github-token, environment) are made by the GitHub Action only.

Output: on a terminal, live progress and a table of results; otherwise (or with --json)
{"results": [...], "versionMap": {...}, "changed": true|false} on stdout and logs on stderr.

With --mode accounts, the JSON is the accounts report: {"users": [...], "organizations": [...], ...}.

Exit codes:
  0  every promotion succeeded, was unchanged, or (with --dry-run) was planned
  1  at least one promotion failed
  2  unusable input: a bad or unknown flag, a key passed as a flag, or a missing key

Example:
  SOURCE_API_KEY=... DEST_API_KEY=... npx algorithmia-promote \\
    --source-cluster dev.algo.example.com --source-api-key-owner alice --source-algo-owner data_science \\
    --dest-cluster prod.algo.example.com --dest-api-key-owner deployer --dest-algo-owner ml_prod \\
    --algorithms sentiment,summarize --publish
`
