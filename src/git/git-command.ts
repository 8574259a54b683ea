import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { which } from '@actions/io'
import { platform } from 'node:os'

export interface GitResult {
  readonly exitCode: number
  readonly stdout: string
  /** The same output as bytes, for output that counts them (`cat-file --batch`). */
  readonly stdoutBytes?: Buffer
  readonly stderr: string
  /** Set when git was stopped at its time limit (timeoutMs). */
  readonly timedOut?: boolean
}

export interface GitInvocation {
  readonly args: readonly string[]
  readonly cwd: string
  /** What the process may inherit from the runner (RunnerGit.inherited); `env` goes on top. */
  readonly inherited: NodeJS.ProcessEnv
  readonly env?: NodeJS.ProcessEnv
  readonly stdin?: string
  readonly timeoutMs?: number
}

const DEFAULT_TIMEOUT_MS = 30 * 60_000

/** The oldest git the code works with; git-version.ts says why. */
export const MINIMUM_GIT = { major: 2, minor: 36 } as const

/**
 * The only runner variables git gets. Keys arrive in the environment too
 * (INPUT_SOURCE-API-KEY, SOURCE_API_KEY, a destination's api-key-env), and git
 * hands its environment to helpers, hooks and proxies; so what git needs is
 * named here and everything else stays out. Compared upper-cased: Windows
 * spells `Path` and `SystemRoot`, curl reads lower-case proxy variables.
 */
const INHERITED_VARIABLES = new Set([
  ...['PATH', 'HOME', 'USER', 'LOGNAME', 'LANG', 'TMPDIR', 'TEMP', 'TMP', 'GIT_EXEC_PATH'],
  // Windows runners: processes misbehave without these.
  ...['SYSTEMROOT', 'COMSPEC', 'PATHEXT', 'USERPROFILE', 'APPDATA', 'LOCALAPPDATA', 'PROGRAMDATA'],
  ...['HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY', 'ALL_PROXY'],
  // A private CA; never GIT_SSL_NO_VERIFY.
  ...['GIT_SSL_CAINFO', 'GIT_SSL_CAPATH', 'SSL_CERT_FILE', 'SSL_CERT_DIR']
])

/** Picks the variables git may see from the runner's environment (see INHERITED_VARIABLES). */
export function inheritedEnvironment(source: Readonly<NodeJS.ProcessEnv>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {}
  for (const [name, value] of Object.entries(source)) {
    const upper = name.toUpperCase()
    if (INHERITED_VARIABLES.has(upper) || upper.startsWith('LC_')) env[name] = value
  }
  // curl takes only the lower-case http_proxy (a CGI defence irrelevant here); the API client takes
  // either, so git is given the same proxy for http:// clusters as the API calls use.
  if (source.HTTP_PROXY && !source.http_proxy) env.http_proxy = source.HTTP_PROXY
  return env
}

/** A URL with user info (`https://user:key@host`) or an Authorization header: never allowed on a command line. */
const CREDENTIAL_IN_ARGUMENT = /^[a-z][a-z0-9+.-]*:\/\/[^/\s]*@|authorization:/i

/**
 * Argument lists are visible to every process on the machine (ps, /proc), so
 * credentials travel only in the environment (see git-auth.ts). This guard
 * turns a mistake into an error instead of a leak; it names no argument.
 */
export function assertNoCredentialArguments(args: readonly string[]): void {
  if (args.some(arg => CREDENTIAL_IN_ARGUMENT.test(arg))) {
    throw new Error('refusing to run git with a credential in its arguments; credentials must be passed in the environment')
  }
}

/** Process groups exist on POSIX systems only; on Windows, git's process tree is stopped instead. */
const OWN_GROUP = platform() !== 'win32'

const running = new Set<ChildProcess>()

/**
 * Stops every git process still running, with its helpers: git runs in its
 * own process group, out of reach of the signal that stops this process, so
 * a cancelled run calls this before it exits.
 */
export function stopRunningGit(): void {
  for (const child of running) stopGit(child)
}

/**
 * How a git is stopped together with what it started (git-remote-https holds
 * the connection): its process group on POSIX systems; on Windows, which has
 * no process groups and whose kill() ends one process only, its process tree
 * through taskkill.
 */
export type StopMethod =
  { readonly kind: 'group'; readonly pid: number } | { readonly kind: 'tree'; readonly program: string; readonly args: string[] }

export function stopMethod(system: NodeJS.Platform, pid: number): StopMethod {
  return system === 'win32' ? { kind: 'tree', program: 'taskkill', args: ['/pid', String(pid), '/T', '/F'] } : { kind: 'group', pid }
}

function stopGit(child: ChildProcess): void {
  if (child.pid === undefined) return
  const method = stopMethod(platform(), child.pid)
  try {
    // Synchronous: a cancelled run stops git on its way out, before the process exits.
    if (method.kind === 'tree') spawnSync(method.program, method.args, { stdio: 'ignore', windowsHide: true })
    else process.kill(-method.pid, 'SIGKILL')
  } catch {
    // Already gone.
  }
}

let located: Promise<string> | undefined

/** git's absolute path, looked up on PATH once per run with @actions/io, not by every spawn. */
export function gitPath(): Promise<string> {
  return (located ??= locateGit())
}

async function locateGit(): Promise<string> {
  const found = await which('git', false)
  if (!found) {
    throw new GitMissingError(
      `git was not found on PATH; install git ${MINIMUM_GIT.major}.${MINIMUM_GIT.minor} or newer (on a self-hosted runner, with the system's package manager) and make sure it is on PATH`
    )
  }
  return found
}

/** No git to run: a setup problem, worded as such by whoever reports it. */
export class GitMissingError extends Error {
  override readonly name = 'GitMissingError'
}

/**
 * Runs git with an argument array (never a shell) and collects its output.
 * Spawned directly rather than through @actions/exec: exec gives no handle on
 * the process, and git must be stoppable, at its time limit and when the run
 * is cancelled (stopRunningGit).
 */
export async function runGit(invocation: GitInvocation): Promise<GitResult> {
  assertNoCredentialArguments(invocation.args)
  const git = await gitPath()
  const env: NodeJS.ProcessEnv = { ...invocation.inherited, LC_ALL: 'C', GIT_ASKPASS: '', SSH_ASKPASS: '', ...invocation.env }
  return new Promise((resolve, reject) => {
    // Its own process group, so stopping it stops its transport helper (git-remote-https, which holds the connection) too.
    const child = spawn(git, invocation.args, { cwd: invocation.cwd, env, stdio: ['pipe', 'pipe', 'pipe'], detached: OWN_GROUP })
    running.add(child)
    const stdout: Buffer[] = []
    const stderr: Buffer[] = []
    let timedOut = false
    const timer = setTimeout(() => {
      timedOut = true
      stopGit(child)
    }, invocation.timeoutMs ?? DEFAULT_TIMEOUT_MS)
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk))
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk))
    child.on('error', error => {
      clearTimeout(timer)
      running.delete(child)
      reject(
        new Error(
          `could not run git (${error.message}); install git ${MINIMUM_GIT.major}.${MINIMUM_GIT.minor} or newer and make sure it is on PATH`,
          { cause: error }
        )
      )
    })
    child.on('close', code => {
      clearTimeout(timer)
      running.delete(child)
      const bytes = Buffer.concat(stdout)
      resolve({
        exitCode: code ?? 128,
        stdout: bytes.toString('utf8'),
        stdoutBytes: bytes,
        stderr: Buffer.concat(stderr).toString('utf8'),
        timedOut
      })
    })
    child.stdin.on('error', () => {})
    child.stdin.end(invocation.stdin ?? '')
  })
}
