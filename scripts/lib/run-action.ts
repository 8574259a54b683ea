import { spawn } from 'node:child_process'
import { mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { windowsEssentials } from '../../__tests__/helpers/platform.js'

export const ACTION_ENTRY = fileURLToPath(new URL('../../dist/index.js', import.meta.url))

/**
 * The Node.js that runs the bundled action and CLI: ACTION_NODE when set (CI
 * runs the end-to-end tests a second time with Node 24, the version action.yml
 * declares), else the Node running the tests.
 */
export function actionNode(): string {
  return process.env.ACTION_NODE || process.execPath
}

export interface ActionRun {
  readonly exitCode: number
  readonly stdout: string
  readonly stderr: string
  readonly outputs: Record<string, string>
  readonly summary: string
  /** RUNNER_TEMP of the run, to check what was left behind. */
  readonly runnerTemp: string
  readonly workspace: string
  /** The command line and environment passed, to check that no key was in the arguments. */
  readonly argv: readonly string[]
  /** What the step saved for its post step (GITHUB_STATE), and the environment it ran with. */
  readonly state: Record<string, string>
  readonly env: NodeJS.ProcessEnv
}

/**
 * Runs the bundled action the way a GitHub runner does: inputs as INPUT_<NAME>
 * variables, outputs and summary through the GITHUB_OUTPUT and
 * GITHUB_STEP_SUMMARY files, a fresh RUNNER_TEMP and workspace.
 */
/** Sends `signal` to the action once its output so far satisfies `when` (as a cancelled job does). */
export interface Interruption {
  readonly when: (stdout: string) => boolean
  readonly signal: NodeJS.Signals
}

export async function runAction(
  inputs: Record<string, string | boolean | number>,
  extraEnv: Record<string, string> = {},
  interruption?: Interruption
): Promise<ActionRun> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'action-run-'))
  const runnerTemp = path.join(root, 'runner-temp')
  const workspace = path.join(root, 'workspace')
  const outputFile = path.join(root, 'github-output')
  const summaryFile = path.join(root, 'step-summary')
  const stateFile = path.join(root, 'github-state')
  await Promise.all([
    mkdirp(runnerTemp),
    mkdirp(workspace),
    writeFile(outputFile, ''),
    writeFile(summaryFile, ''),
    writeFile(stateFile, '')
  ])
  const env: NodeJS.ProcessEnv = {
    ...windowsEssentials(),
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    RUNNER_TEMP: runnerTemp,
    GITHUB_WORKSPACE: workspace,
    GITHUB_OUTPUT: outputFile,
    GITHUB_STEP_SUMMARY: summaryFile,
    GITHUB_STATE: stateFile,
    GITHUB_ACTIONS: 'true',
    ...extraEnv
  }
  for (const [name, value] of Object.entries(inputs)) env[`INPUT_${name.toUpperCase()}`] = String(value)
  const argv = [actionNode(), ACTION_ENTRY]
  const { exitCode, stdout, stderr } = await spawnCollect(argv, env, workspace, interruption)
  return {
    exitCode,
    stdout,
    stderr,
    outputs: parseOutputFile(await readFile(outputFile, 'utf8')),
    summary: await readFile(summaryFile, 'utf8'),
    runnerTemp,
    workspace,
    argv,
    state: parseOutputFile(await readFile(stateFile, 'utf8')),
    env
  }
}

/** Runs the action's post step after `main`, as the runner does: the main step's saved state as STATE_<name> variables. */
export async function runPostStep(main: ActionRun): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = { ...main.env }
  for (const [name, value] of Object.entries(main.state)) env[`STATE_${name}`] = value
  return spawnCollect([process.execPath, ACTION_ENTRY], env, main.workspace)
}

async function mkdirp(dir: string): Promise<void> {
  const { mkdir } = await import('node:fs/promises')
  await mkdir(dir, { recursive: true })
}

function spawnCollect(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  cwd: string,
  interruption?: Interruption
): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0], argv.slice(1), { env, cwd })
    let stdout = ''
    let stderr = ''
    let interrupted = false
    child.stdout.on('data', chunk => {
      stdout += chunk
      if (interruption && !interrupted && interruption.when(stdout)) {
        interrupted = true
        child.kill(interruption.signal)
      }
    })
    child.stderr.on('data', chunk => (stderr += chunk))
    child.on('error', reject)
    child.on('close', (code, signal) => resolve({ exitCode: code ?? (signal ? 128 : 1), stdout, stderr }))
  })
}

/**
 * GITHUB_OUTPUT holds `name<<DELIMITER\nvalue\nDELIMITER` blocks. @actions/core
 * ends lines with os.EOL, CRLF on Windows, which the runner reads as line ends.
 */
export function parseOutputFile(text: string): Record<string, string> {
  const outputs: Record<string, string> = {}
  const lines = text.split(/\r?\n/)
  for (let i = 0; i < lines.length; i++) {
    const heredoc = /^([^<=]+)<<(.+)$/.exec(lines[i])
    if (heredoc) {
      const [, name, delimiter] = heredoc
      const value: string[] = []
      while (++i < lines.length && lines[i] !== delimiter) value.push(lines[i])
      outputs[name] = value.join('\n')
    } else if (lines[i].includes('=')) {
      const at = lines[i].indexOf('=')
      outputs[lines[i].slice(0, at)] = lines[i].slice(at + 1)
    }
  }
  return outputs
}

/** Every file under `dir`, recursively (for scanning what a run left behind). */
export async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true }).catch(() => [])
  return entries.filter(entry => entry.isFile()).map(entry => path.join(entry.parentPath, entry.name))
}
