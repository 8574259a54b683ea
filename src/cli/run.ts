import os from 'node:os'
import packageJson from '../../package.json' with { type: 'json' }
import type { AccountsConfig, PromotionConfig } from '../core/config.js'
import { InputError, type InputProblem } from '../core/input-error.js'
import { parseAccountsConfig, parseConfig, type Environment } from '../inputs/parse.js'
import { isAccountsMode } from '../inputs/run-options.js'
import type { AccountsReport } from '../accounts/report.js'
import { runAccounts } from '../accounts/run.js'
import { secretsInInputs } from '../inputs/secret-inputs.js'
import { runFailed, runPromotion } from '../run/sequence.js'
import type { Logger } from '../util/log.js'
import { collectionProgressLines } from './collection-progress.js'
import type { RunReport } from '../report/run-report.js'
import { SecretRegistry } from '../util/secrets.js'
import { UsageError, inputReader, parseCommandLine } from './arguments.js'
import { INPUT_FLAGS } from './flags.js'
import {
  ADMIN_KEY_VARIABLES,
  KEY_INPUTS,
  adminKeysFromEnvironment,
  canPrompt,
  isAdminKeyInput,
  isKeyInput,
  keyProblem,
  keyVariablesOf,
  keysFromEnvironment,
  promptForKey,
  type KeyInput,
  type Keys
} from './keys.js'
import { changedFiles, resultsJson, resultsSummary, resultsTable } from './output.js'
import { LineLogger, LineProgress, LiveProgress, colorsFor, type ProgressDisplay } from './progress.js'
import { withoutTerminalControls } from '../util/remote-text.js'
import { inCommandLineTerms, reportInCommandLineTerms } from './wording.js'

/** The documented exit codes: scripts branch on them. */
export const EXIT_OK = 0
export const EXIT_FAILED = 1
export const EXIT_USAGE = 2

interface RunOptions {
  readonly json: boolean
  readonly verbose: boolean
}

/** The whole command: arguments and keys → promotion → table or JSON; returns the exit code. */
export async function runCli(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  const secrets = new SecretRegistry()
  const keys = keysFromEnvironment(env)
  const adminKeys = adminKeysFromEnvironment(env)
  // Registered before anything can fail, so no message, not even commander's, can show a key.
  for (const key of [...Object.values(keys), ...Object.values(adminKeys)]) secrets.registerKey('', key)
  let verbose = false
  try {
    const output = {
      writeOut: (text: string) => process.stdout.write(text),
      writeErr: (text: string) => process.stderr.write(secrets.redact(text))
    }
    const command = parseCommandLine(argv, output, packageJson.version)
    if (command.kind === 'shown') return EXIT_OK
    verbose = command.verbose
    if (isAccountsMode(name => command.inputs[name] ?? '')) {
      const report = await copyAccountsFromCli(parseAccountsConfig(inputReader(command.inputs, adminKeys), env), command, secrets)
      return report.failed > 0 ? EXIT_FAILED : EXIT_OK
    }
    const parsed = await configure(command.inputs, { ...keys, ...adminKeys }, secrets, env)
    const report = await execute(parsed, command, secrets)
    return runFailed(report) ? EXIT_FAILED : EXIT_OK
  } catch (error) {
    return reportError(error, secrets, verbose)
  }
}

/**
 * Checks every flag before asking for a key, so a typo is reported at once,
 * not after the user has pasted two keys; then asks for the missing keys.
 */
async function configure(
  inputs: Readonly<Record<string, string>>,
  environmentKeys: Keys & Readonly<Record<string, string>>,
  secrets: SecretRegistry,
  env: Environment
): Promise<PromotionConfig> {
  const keys = neededKeys(inputs, environmentKeys)
  secrets.registerAll(secretsInInputs(inputReader(inputs, keys), env))
  let config = checkedConfig(inputs, keys, env, canPrompt())
  if (!config) {
    for (const input of KEY_INPUTS.filter(name => name in keys && !keys[name])) {
      const key = await promptForKey(question(input, inputs))
      if (!key) throw new UsageError(`no key was entered, so nothing was changed; set ${keyVariablesOf(input)[0]} to skip the prompt`)
      keys[input] = secrets.registerKey(inputs[`${input}-owner`] ?? '', key)
    }
    config = checkedConfig(inputs, keys, env, false)
  }
  if (!config) throw new Error('the keys were entered, yet the inputs still lack one; please report this')
  return config
}

/**
 * With --destinations, each entry names its own key variable, so DEST_API_KEY
 * (perhaps exported for other runs) is neither used nor asked for.
 */
function neededKeys(inputs: Readonly<Record<string, string>>, environmentKeys: Keys & Readonly<Record<string, string>>): Keys {
  const needed: readonly KeyInput[] = inputs.destinations ? ['source-api-key'] : KEY_INPUTS
  const admin = Object.entries(environmentKeys).filter(([input]) => isAdminKeyInput(input))
  return { ...Object.fromEntries(admin), ...Object.fromEntries(needed.map(input => [input, environmentKeys[input] ?? ''])) }
}

async function copyAccountsFromCli(config: AccountsConfig, options: RunOptions, secrets: SecretRegistry): Promise<AccountsReport> {
  const logger = new LineLogger(process.stderr, { secrets, verbose: options.verbose })
  const report = await runAccounts(config, { logger, redact: text => secrets.redact(text) })
  process.stdout.write(secrets.redact(`${JSON.stringify(report, null, 2)}\n`))
  return report
}

/** parseConfig with the problems of keys in command-line terms; undefined when only keys to prompt for are missing. */
function checkedConfig(
  inputs: Readonly<Record<string, string>>,
  keys: Keys,
  env: Environment,
  willPrompt: boolean
): PromotionConfig | undefined {
  try {
    return parseConfig(inputReader(inputs, keys), env)
  } catch (error) {
    if (!(error instanceof InputError)) throw error
    const promptedFor = (problem: InputProblem): boolean => willPrompt && isKeyInput(problem.input) && !keys[problem.input]
    const problems = error.problems
      .filter(problem => !promptedFor(problem))
      .map(problem => (isKeyInput(problem.input) ? keyProblem(problem.input, problem.message, keys) : problem))
    if (problems.length > 0) throw new InputError(problems)
    return undefined
  }
}

function question(input: KeyInput, inputs: Readonly<Record<string, string>>): string {
  const prefix = input === 'source-api-key' ? 'source' : 'dest'
  const cluster = inputs[`${prefix}-cluster`] || inputs[`${prefix}-api-url`] || ''
  const owner = inputs[`${prefix}-api-key-owner`] || ''
  return `${prefix === 'source' ? 'Source' : 'Destination'} API key${owner ? ` of ${owner}` : ''}${cluster ? ` on ${cluster}` : ''}: `
}

/**
 * The run, shown as this terminal allows: a live table (or plain progress lines when stderr is
 * redirected) once the run is prepared and its algorithms are named, then a table or JSON.
 */
async function execute(parsed: PromotionConfig, options: RunOptions, secrets: SecretRegistry): Promise<RunReport> {
  const terminal = process.stdout.isTTY === true && !options.json
  const lines = new LineLogger(process.stderr, { secrets, verbose: options.verbose })
  let display: ProgressDisplay | undefined
  const current = (): Logger => display ?? lines
  const logger: Logger = {
    info: message => current().info(message),
    warning: message => current().warning(message),
    error: message => current().error(message),
    debug: message => current().debug(message),
    group: (title, body) => current().group(title, body)
  }
  const { config, report: promoted } = await runPromotion(parsed, {
    environment: process.env,
    logger,
    secrets,
    workRoot: os.tmpdir(),
    observe: prepared => {
      display = terminal ? progressDisplay(prepared, options, secrets) : undefined
      const shown = display
      return {
        onProgress: shown?.onProgress,
        onCollectionProgress: collectionProgressLines(logger),
        finished: async finished => shown?.finish(reportInCommandLineTerms(finished).results),
        stopped: async () => shown?.finish([])
      }
    }
  })
  const report = reportInCommandLineTerms(promoted)
  if (terminal) {
    process.stdout.write(secrets.redact(finalTable(config, report)))
  } else {
    // Each failure was said on stderr as it happened (logger.error); the JSON holds it too. The files a
    // dry run would change are for the reader of the log, as in the job summary.
    for (const line of report.results.flatMap(changedFiles)) logger.info(line)
    process.stdout.write(secrets.redact(resultsJson(config, report)))
  }
  return report
}

/** Live redrawing needs a terminal on stderr too; redirected, progress becomes plain lines. */
function progressDisplay(config: PromotionConfig, options: RunOptions, secrets: SecretRegistry): ProgressDisplay {
  const targets = config.algorithms.flatMap(algorithm =>
    config.destinations.map(account => ({ algorithm, destination: account.cluster.label }))
  )
  const displayOptions = { secrets, verbose: options.verbose, targets }
  return process.stderr.isTTY ? new LiveProgress(process.stderr, displayOptions) : new LineProgress(process.stderr, displayOptions)
}

function finalTable(config: PromotionConfig, report: RunReport): string {
  const colors = colorsFor(process.stdout)
  return `\n${resultsTable(report, colors)}${resultsSummary(config, report, colors)}`
}

function reportError(error: unknown, secrets: SecretRegistry, verbose: boolean): number {
  if (error instanceof UsageError) {
    // An empty message means commander has already said what is wrong.
    if (error.message) process.stderr.write(`error: ${error.message}\n`)
    return EXIT_USAGE
  }
  if (error instanceof InputError) {
    process.stderr.write(secrets.redact(describeInputError(error)))
    return EXIT_USAGE
  }
  const text = error instanceof Error ? (verbose && error.stack) || error.message : String(error)
  process.stderr.write(secrets.redact(`error: ${withoutTerminalControls(inCommandLineTerms(text))}\n`))
  return EXIT_FAILED
}

/** Problems named by the flag to change (`--source-cluster`) or the variable to set (`SOURCE_API_KEY`). */
export function describeInputError(error: InputError): string {
  const lines = error.problems.map(problem => {
    if (isAdminKeyInput(problem.input)) {
      const message = problem.message.startsWith('is required') ? 'is not set: set it to an admin key of that cluster' : problem.message
      return `  ${ADMIN_KEY_VARIABLES[problem.input]}: ${message}`
    }
    const isFlag = INPUT_FLAGS.some(flag => flag.input === problem.input)
    return `  ${isFlag ? `--${problem.input}` : problem.input}: ${inCommandLineTerms(problem.message)}`
  })
  return `error: nothing was changed, because the input is not usable:\n${lines.join('\n')}\n`
}
