/**
 * The secret scanner shared by the security, reliability and bad-input tests.
 *
 * A run "leaks" when any form of an API key (the key, its URL-encoded forms,
 * base64 of the key or of `owner:key`, even a recognisable fragment of the
 * canary) shows up in what the run leaves for anyone to read: stdout and
 * stderr, GITHUB_OUTPUT, the job summary, any file left in RUNNER_TEMP or the
 * workspace, or the argument list of any git process it started.
 */
import { chmod, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises'
import { execFileSync } from 'node:child_process'
import os from 'node:os'
import path from 'node:path'
import { listFiles, runAction, type ActionRun } from '../../scripts/lib/run-action.js'
import { posixOnly } from '../helpers/platform.js'

/** Canary keys with '/', '+' and '=' so every encoding differs from the raw key. */
export const CANARY_DEV_KEY = 'simCANARY/dev+k='
export const CANARY_PROD_KEY = 'simCANARY/prod+k='
/** Appears in both canaries; no legitimate output contains it. */
const CANARY_MARK = 'CANARY'

export interface KeyUnderTest {
  readonly owner: string
  readonly key: string
}

export interface SecretForm {
  readonly form: string
  readonly value: string
}

const base64 = (text: string): string => Buffer.from(text).toString('base64')
const base64Url = (text: string): string => Buffer.from(text).toString('base64url')
/** The part of a base64 encoding that does not depend on what follows `text`. */
const stableBase64Prefix = (text: string): string => base64(text.slice(0, Math.floor(text.length / 3) * 3))

/** Every form in which a key could travel, including fragments that survive truncation. */
export function secretForms({ owner, key }: KeyUnderTest): SecretForm[] {
  const forms: SecretForm[] = [
    { form: 'raw key', value: key },
    { form: 'encodeURIComponent(key)', value: encodeURIComponent(key) },
    {
      form: 'encodeURIComponent(key), lower-case escapes',
      value: encodeURIComponent(key).replace(/%[0-9A-F]{2}/g, escape => escape.toLowerCase())
    },
    { form: "key with '/' as %2F", value: key.replaceAll('/', '%2F') },
    { form: "key with '+' as %2B", value: key.replaceAll('+', '%2B') },
    { form: 'JSON-escaped key', value: JSON.stringify(key).slice(1, -1) },
    { form: 'base64(key)', value: base64(key) },
    { form: 'base64(key) unpadded', value: base64(key).replace(/=+$/, '') },
    { form: 'base64url(key)', value: base64Url(key) },
    { form: 'base64(owner:key)', value: base64(`${owner}:${key}`) },
    { form: 'base64(owner:key) unpadded', value: base64(`${owner}:${key}`).replace(/=+$/, '') },
    { form: 'base64url(owner:key)', value: base64Url(`${owner}:${key}`) },
    { form: 'base64(owner:key) stable prefix', value: stableBase64Prefix(`${owner}:${key}`) },
    { form: 'base64(key) stable prefix', value: stableBase64Prefix(key) }
  ]
  if (key.includes(CANARY_MARK)) {
    const head = key.slice(0, key.indexOf(CANARY_MARK) + CANARY_MARK.length)
    forms.push({ form: 'canary fragment', value: CANARY_MARK })
    forms.push({ form: 'base64 of the canary fragment', value: stableBase64Prefix(head) })
    forms.push({ form: 'base64 of owner:canary fragment', value: stableBase64Prefix(`${owner}:${head}`) })
  }
  // Fragments shorter than this would match ordinary text by chance.
  return forms.filter(form => form.value.length >= 6)
}

export interface Leak {
  readonly where: string
  readonly form: string
  readonly excerpt: string
}

export interface ScanTarget {
  readonly where: string
  readonly content: string | Buffer
}

/** Finds every secret form in every target. Buffers are searched as bytes (UTF-8 and Latin-1 alike). */
export function scanTargets(targets: readonly ScanTarget[], keys: readonly KeyUnderTest[]): Leak[] {
  const forms = keys.flatMap(secretForms)
  const leaks: Leak[] = []
  for (const target of targets) {
    const bytes = Buffer.isBuffer(target.content) ? target.content : Buffer.from(target.content, 'utf8')
    for (const { form, value } of forms) {
      const at = bytes.indexOf(Buffer.from(value, 'utf8'))
      if (at >= 0) {
        leaks.push({ where: target.where, form, excerpt: bytes.subarray(Math.max(0, at - 60), at + value.length + 60).toString('latin1') })
      }
    }
  }
  return leaks
}

/**
 * `::add-mask::<secret>` lines are commands to the runner, which swallows them
 * and never shows them; they are how the action asks for masking. Everything
 * else on stdout is log output.
 */
export function withoutMaskCommands(stdout: string): { log: string; masked: string[] } {
  const masked: string[] = []
  const log = stdout
    .split('\n')
    .filter(line => {
      const command = /^::add-mask::(.*)$/.exec(line)
      // Command values are escaped (%25, %0D, %0A) on the wire; the runner unescapes them.
      if (command) masked.push(command[1].replaceAll('%0D', '\r').replaceAll('%0A', '\n').replaceAll('%25', '%'))
      return !command
    })
    .join('\n')
  return { log, masked }
}

export interface GitSpy {
  /** Put this first on PATH (extraEnv PATH) to record every git argument list. */
  readonly binDir: string
  readonly logFile: string
  /** Every recorded git invocation, one argument list each. */
  invocations(): Promise<string[][]>
  path(): string
}

/**
 * Why there is no git spy on Windows. A program the action spawns must be an
 * executable: a `#!/bin/sh` script is not one there, Node (since 20.12)
 * refuses to spawn a `.cmd` without a shell, and @actions/io's `which` would
 * pick the real git.exe or a `.cmd` wrapper over a script named `git`.
 */
export const NO_GIT_SPY_ON_WINDOWS =
  "git's argument lists are not recorded: the git spy is a #!/bin/sh wrapper, and Windows can only spawn an executable as the action's git"

/**
 * A `git` wrapper that logs its arguments (NUL-separated, one invocation per
 * line) and execs the real git; undefined on Windows (NO_GIT_SPY_ON_WINDOWS).
 */
export async function createGitSpy(): Promise<GitSpy | undefined> {
  if (posixOnly(NO_GIT_SPY_ON_WINDOWS)) return undefined
  const realGit = execFileSync('sh', ['-c', 'command -v git'], { encoding: 'utf8' }).trim()
  const binDir = await mkdtemp(path.join(os.tmpdir(), 'git-spy-'))
  const logFile = path.join(binDir, 'argv.log')
  await writeFile(logFile, '')
  const script = `#!/bin/sh\n{ for arg in "$@"; do printf '%s\\037' "$arg"; done; printf '\\n'; } >> '${logFile}'\nexec '${realGit}' "$@"\n`
  const wrapper = path.join(binDir, 'git')
  await writeFile(wrapper, script)
  await chmod(wrapper, 0o755)
  return {
    binDir,
    logFile,
    async invocations() {
      const text = await readFile(logFile, 'utf8')
      return text
        .split('\n')
        .filter(Boolean)
        .map(line => line.split('\x1f').slice(0, -1))
    },
    path: () => `${binDir}${path.delimiter}${process.env.PATH ?? ''}`
  }
}

export interface ScanReport {
  readonly leaks: Leak[]
  /** What was scanned, for the coverage table. */
  readonly scanned: string[]
  /** Directories the run left in RUNNER_TEMP (temporary repositories must be gone). */
  readonly leftInRunnerTemp: string[]
  /** Every git argument list; undefined only on Windows, where there is no git spy (NO_GIT_SPY_ON_WINDOWS). */
  readonly gitInvocations: string[][] | undefined
}

/**
 * Scans everything a finished run left behind: the log (minus mask commands),
 * stderr, the GITHUB_OUTPUT and job-summary files, every file under RUNNER_TEMP
 * and the workspace (including any `.git/config`), and the git argument lists.
 */
export async function scanRun(run: ActionRun, keys: readonly KeyUnderTest[], spy?: GitSpy): Promise<ScanReport> {
  const root = path.dirname(run.runnerTemp)
  const { log } = withoutMaskCommands(run.stdout)
  const targets: ScanTarget[] = [
    { where: 'stdout', content: log },
    { where: 'stderr', content: run.stderr },
    { where: 'outputs (parsed)', content: JSON.stringify(run.outputs) },
    { where: 'action argv', content: run.argv.join(' ') }
  ]
  for (const file of [path.join(root, 'github-output'), path.join(root, 'step-summary')]) {
    targets.push({ where: path.basename(file), content: await readFile(file) })
  }
  for (const file of [...(await listFiles(run.runnerTemp)), ...(await listFiles(run.workspace))]) {
    targets.push({ where: path.relative(root, file), content: await readFile(file) })
  }
  const gitInvocations = spy ? await spy.invocations() : undefined
  if (gitInvocations) targets.push({ where: 'git argv', content: gitInvocations.map(args => args.join(' ')).join('\n') })
  const leftInRunnerTemp = (await readdir(run.runnerTemp)).filter(name => name.startsWith('algorithmia-promote'))
  return { leaks: scanTargets(targets, keys), scanned: targets.map(target => target.where), leftInRunnerTemp, gitInvocations }
}

/** Runs the action with a git spy on PATH (and any extra environment), then scans it. */
export async function runAndScan(
  inputs: Record<string, string>,
  keys: readonly KeyUnderTest[],
  extraEnv: Record<string, string> = {}
): Promise<{ run: ActionRun; scan: ScanReport }> {
  const spy = await createGitSpy()
  try {
    const run = await runAction(inputs, spy ? { PATH: spy.path(), ...extraEnv } : extraEnv)
    return { run, scan: await scanRun(run, keys, spy) }
  } finally {
    if (spy) await rm(spy.binDir, { recursive: true, force: true })
  }
}
