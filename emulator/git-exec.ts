// Runs the git binary for the emulator. Every call gets an isolated
// environment so the host's ~/.gitconfig and /etc/gitconfig cannot change how
// the emulated server behaves.
import { execFile } from 'node:child_process'

export const SERVER_IDENTITY = { name: 'Algorithmia', email: 'noreply@algorithmia.com' } as const

/** Environment for every git process the emulator starts (including http-backend). */
export function isolatedGitEnv(home: string): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: home,
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    LANG: 'C',
    GIT_AUTHOR_NAME: SERVER_IDENTITY.name,
    GIT_AUTHOR_EMAIL: SERVER_IDENTITY.email,
    GIT_COMMITTER_NAME: SERVER_IDENTITY.name,
    GIT_COMMITTER_EMAIL: SERVER_IDENTITY.email
  }
}

export interface GitRunOptions {
  /** Bare repository to operate on (sets GIT_DIR). */
  gitDir?: string
  input?: string | Buffer
  env?: Record<string, string>
}

export class GitError extends Error {
  constructor(
    readonly args: string[],
    readonly exitCode: number | string | null,
    readonly stderr: string
  ) {
    super(`git ${args.join(' ')} failed (${String(exitCode)}): ${stderr.trim()}`)
    this.name = 'GitError'
  }
}

export class GitRunner {
  private readonly running = new Set<Promise<unknown>>()

  constructor(private readonly home: string) {}

  /** Runs git with an argument array (never a shell) and returns stdout. */
  run(args: string[], opts: GitRunOptions = {}): Promise<Buffer> {
    const run = this.spawn(args, opts)
    const tracked = run.catch(() => undefined).finally(() => this.running.delete(tracked))
    this.running.add(tracked)
    return run
  }

  /** Resolves when no git process started by this runner is still running. */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.all(this.running)
  }

  async text(args: string[], opts: GitRunOptions = {}): Promise<string> {
    return (await this.run(args, opts)).toString('utf8').trim()
  }

  private spawn(args: string[], opts: GitRunOptions): Promise<Buffer> {
    const env = { ...isolatedGitEnv(this.home), ...opts.env }
    if (opts.gitDir) env.GIT_DIR = opts.gitDir
    return new Promise((resolve, reject) => {
      const child = execFile('git', args, { env, encoding: 'buffer', maxBuffer: 1024 * 1024 * 1024 }, (error, stdout, stderr) => {
        if (error) reject(new GitError(args, error.code ?? null, stderr.toString('utf8')))
        else resolve(stdout)
      })
      // A failing git may exit before reading stdin; the callback reports that.
      child.stdin?.on('error', () => undefined)
      child.stdin?.end(opts.input ?? '')
    })
  }
}
