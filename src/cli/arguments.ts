import { Command, CommanderError, Option } from 'commander'
import type { InputReader } from '../inputs/parse.js'
import { ADMIN_KEY_VARIABLES, KEY_INPUTS, isAdminKeyInput, isKeyInput, keyVariablesOf } from './keys.js'
import { defaultOf } from '../inputs/defaults.js'
import { lenientDestinationEntries } from '../inputs/destination-entries.js'

/** One command-line flag standing for one input of action.yml (`--<input>`). */
export interface InputFlag {
  readonly input: string
  readonly description: string
  /** Placeholder shown in --help; absent for switches such as --publish. */
  readonly value?: string
  readonly group: string
}

const SOURCE = 'Source cluster:'
const DEST = 'Destination cluster:'
const WHAT = 'What to promote:'
const PUBLISH = 'Publishing:'
const RUN = 'Run:'
const ACCOUNTS = 'Accounts (--mode accounts):'

/**
 * Every input of action.yml but those in NOT_FLAGS. A unit test checks this
 * table against action.yml.
 */
export const INPUT_FLAGS: readonly InputFlag[] = [
  {
    input: 'source-cluster',
    value: 'domain',
    group: SOURCE,
    description:
      'source cluster domain, e.g. dev.algo.example.com (API at https://api.<domain>, git at https://git.<domain>); required unless both --source-api-url and --source-git-url are given'
  },
  {
    input: 'source-api-url',
    value: 'url',
    group: SOURCE,
    description: 'source API base URL override, without /v1, e.g. http://127.0.0.1:8080'
  },
  {
    input: 'source-git-url',
    value: 'url',
    group: SOURCE,
    description: 'source git base URL override; repositories live at <url>/git/<owner>/<name>.git'
  },
  {
    input: 'source-api-key-owner',
    value: 'owner',
    group: SOURCE,
    description: 'user or organization that owns the source API key (git user name)'
  },
  { input: 'source-algo-owner', value: 'owner', group: SOURCE, description: 'user or organization that owns the source algorithms' },
  {
    input: 'source-version',
    value: 'version',
    group: SOURCE,
    description:
      'what to promote: a published version (1.2.0) or a commit hash; omit for the latest commit of master (the branch clusters build)'
  },
  {
    input: 'dest-cluster',
    value: 'domain',
    group: DEST,
    description: 'destination cluster domain, e.g. prod.algo.example.com; required unless both --dest-api-url and --dest-git-url are given'
  },
  { input: 'dest-api-url', value: 'url', group: DEST, description: 'destination API base URL override, without /v1' },
  { input: 'dest-git-url', value: 'url', group: DEST, description: 'destination git base URL override' },
  { input: 'dest-api-key-owner', value: 'owner', group: DEST, description: 'user or organization that owns the destination API key' },
  {
    input: 'dest-algo-owner',
    value: 'owner',
    group: DEST,
    description:
      'user or organization that owns (or will own) the destination algorithms; on the source cluster it must differ from --source-algo-owner'
  },
  {
    input: 'destinations',
    value: 'json',
    group: DEST,
    description:
      'several destinations instead of the --dest-* flags: a JSON array of {"name", "cluster" or "api-url" + "git-url", "api-key-env" (an environment variable holding the key), "api-key-owner", "algo-owner"}'
  },
  {
    input: 'destination-filter',
    value: 'names',
    group: DEST,
    description: 'with --destinations, promote only to these destination names (comma-separated)'
  },
  {
    input: 'algorithms',
    value: 'names',
    group: WHAT,
    description:
      "algorithm names (as in their URLs) or glob patterns such as '*' or 'sentiment_*', separated by commas; the flag may be repeated"
  },
  {
    input: 'exclude-algorithms',
    value: 'patterns',
    group: WHAT,
    description: "names or glob patterns of algorithms to leave out, separated by commas; each must match one of the owner's algorithms"
  },
  {
    input: 'create-owner',
    group: DEST,
    description:
      'create a missing destination owner organization from the source owner organization before its algorithms (needs SOURCE_ADMIN_API_KEY and DEST_ADMIN_API_KEY)'
  },
  {
    input: 'accounts',
    value: 'names',
    group: ACCOUNTS,
    description: "with --mode accounts: users and organizations to copy, separated by commas, or '*' for all"
  },
  {
    input: 'settings',
    value: 'json',
    group: WHAT,
    description:
      'JSON object merged over the source settings when a destination algorithm is created (and, with --metadata sync, updated), e.g. \'{"license": "mit", "details": {"label": "Sentiment"}}\'; an algorithm_environment here replaces the mapped environment'
  },
  {
    input: 'metadata',
    value: 'mode',
    group: WHAT,
    description:
      "create: copy the source's details and settings only when creating a destination; sync: also update an existing destination's to the source's, sending nothing when they agree"
  },
  {
    input: 'commit-message',
    value: 'template',
    group: WHAT,
    description:
      'subject of the promotion commit; placeholders {algorithm}, {source-cluster}, {source-owner}, {source-version}, {source-commit}, {dest-cluster}, {dest-owner}'
  },
  {
    input: 'collections',
    value: 'names',
    group: WHAT,
    description:
      "hosted data collections of the source owner to promote (comma-separated; the flag may be repeated), or 'auto' for those the promoted code references as data://<source-algo-owner>/<collection>/…"
  },
  { input: 'collections-prune', group: WHAT, description: 'delete destination files that the source collection does not have' },
  {
    input: 'publish',
    group: PUBLISH,
    description: 'wait for the destination build of the promoted commit and publish a version (also an unchanged head never published)'
  },
  {
    input: 'version-type',
    value: 'type',
    group: PUBLISH,
    description:
      "version bump when publishing: major, minor or revision; or match: the source's version number when one bump from the destination's latest reaches it"
  },
  {
    input: 'release-notes',
    value: 'text',
    group: PUBLISH,
    description:
      "release notes for published versions (default names the source cluster, algorithm, version and commit, and quotes the source version's notes)"
  },
  {
    input: 'missing-secrets',
    value: 'fail|warn',
    group: PUBLISH,
    description: 'when the destination lacks a secret name the source algorithm has: fail (no publish) or warn; values are never read'
  },
  {
    input: 'smoke-test',
    value: 'cases',
    group: PUBLISH,
    description:
      'call the destination build before publishing: a JSON list of {"input", "expected"?} cases, a path to a JSON file of them, or sample-input (compare with the source version on its sample input)'
  },
  {
    input: 'build-timeout',
    value: 'seconds',
    group: PUBLISH,
    description: 'seconds to wait for a destination build before failing'
  },
  { input: 'dry-run', group: RUN, description: 'make no API writes and push nothing; report what would happen' },
  {
    input: 'mode',
    value: 'mode',
    group: RUN,
    description:
      'promote; plan: only find which algorithms and destinations need promoting (writes nothing; the JSON gains a "matrix"); or accounts: copy users, organizations and memberships with the admin keys'
  },
  {
    input: 'version-map-file',
    value: 'path',
    group: RUN,
    description: "JSON version map to read, update with this run's promotions, and write back"
  },
  {
    input: 'concurrency',
    value: 'n',
    group: RUN,
    description: 'how many algorithms are promoted, and how many files of a data collection are copied, at the same time'
  },
  {
    input: 'max-attempts',
    value: 'n',
    group: RUN,
    description: 'attempts per API request or git transfer before giving up on transient failures'
  },
  {
    input: 'retry-delay',
    value: 'seconds',
    group: RUN,
    description: 'seconds before the first retry; doubles with each attempt'
  },
  {
    input: 'request-timeout',
    value: 'seconds',
    group: RUN,
    description: 'seconds one API request may take before it is abandoned and retried'
  }
]

/**
 * The inputs of action.yml that have no flag, and why. Credentials are never
 * flags: a process's arguments are visible to every other user of the machine.
 */
export const NOT_FLAGS: Readonly<Record<string, string>> = {
  'source-api-key': 'a key: set SOURCE_API_KEY (or SOURCE_ACCOUNT_API_KEY)',
  'dest-api-key': 'a key: set DEST_API_KEY (or DEST_ACCOUNT_API_KEY)',
  'source-admin-api-key': 'an admin key: set SOURCE_ADMIN_API_KEY',
  'dest-admin-api-key': 'an admin key: set DEST_ADMIN_API_KEY',
  'github-token': 'a credential, for the GitHub deployments and plan comments that only the action records',
  environment: 'names the GitHub environment of those deployments'
}

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
