import { spawn } from 'node:child_process'

export interface GitResult {
  readonly exitCode: number
  readonly stdout: string
  readonly stderr: string
}

export interface GitInvocation {
  readonly args: readonly string[]
  readonly cwd: string
  readonly env?: NodeJS.ProcessEnv
  readonly stdin?: string
  readonly timeoutMs?: number
}

const DEFAULT_TIMEOUT_MS = 30 * 60_000

/** Environment variables of the runner that would change what git does or prints. */
const INHERITED_GIT_VARIABLES = /^GIT_(TRACE|CURL_VERBOSE|SSL|CONFIG|DIR|WORK_TREE|INDEX_FILE|OBJECT_DIRECTORY|ALTERNATE|NAMESPACE|ASKPASS|CEILING)/

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

/** Runs git with an argument array (never a shell) and collects its output. */
export function runGit(invocation: GitInvocation): Promise<GitResult> {
  try {
    assertNoCredentialArguments(invocation.args)
  } catch (error) {
    return Promise.reject(error)
  }
  const env: NodeJS.ProcessEnv = {}
  for (const [name, value] of Object.entries(process.env)) {
    if (!INHERITED_GIT_VARIABLES.test(name)) env[name] = value
  }
  Object.assign(env, { LC_ALL: 'C', GIT_ASKPASS: '', SSH_ASKPASS: '' }, invocation.env)
  return new Promise((resolve, reject) => {
    const child = spawn('git', invocation.args, { cwd: invocation.cwd, env, stdio: ['pipe', 'pipe', 'pipe'] })
    const stdout: Buffer[] = []
    const stderr: Buffer[] = []
    const timer = setTimeout(() => child.kill('SIGTERM'), invocation.timeoutMs ?? DEFAULT_TIMEOUT_MS)
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk))
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk))
    child.on('error', error => {
      clearTimeout(timer)
      reject(new Error(`could not run git (${error.message}); install git 2.29 or newer and make sure it is on PATH`))
    })
    child.on('close', code => {
      clearTimeout(timer)
      resolve({ exitCode: code ?? 128, stdout: Buffer.concat(stdout).toString('utf8'), stderr: Buffer.concat(stderr).toString('utf8') })
    })
    child.stdin.on('error', () => {})
    child.stdin.end(invocation.stdin ?? '')
  })
}
