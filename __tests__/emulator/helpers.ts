// Shared fixtures for emulator tests: cluster lifecycle, an API caller, and a
// git runner that authenticates through the environment (never the URL).
import { execFile } from 'node:child_process'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { afterEach } from 'vitest'
import { type ClusterOptions, type EmulatedCluster, startCluster } from '../../emulator/index.js'

export interface Fixture {
  start(opts?: ClusterOptions): Promise<EmulatedCluster>
  tmp(): Promise<string>
}

/** Starts clusters and temp dirs for a test and cleans all of them up after it. */
export function useFixture(): Fixture {
  const clusters: EmulatedCluster[] = []
  const dirs: string[] = []
  afterEach(async () => {
    await Promise.all(clusters.splice(0).map(cluster => cluster.stop()))
    await Promise.all(dirs.splice(0).map(dir => rm(dir, { recursive: true, force: true })))
  })
  return {
    async start(opts) {
      const cluster = await startCluster({ buildDelayMs: 20, ...opts })
      clusters.push(cluster)
      return cluster
    },
    async tmp() {
      const dir = await mkdtemp(join(tmpdir(), 'emulator-test-'))
      dirs.push(dir)
      return dir
    }
  }
}

/** Adds a user with a standard key and returns the key. */
export function seedUser(cluster: EmulatedCluster, name: string, opts?: Parameters<EmulatedCluster['addKey']>[1]): string {
  cluster.addUser(name)
  return cluster.addKey(name, opts)
}

export interface ApiResponse {
  status: number
  headers: Headers
  body: unknown
  text: string
}

export interface ApiRequest {
  method?: string
  key?: string
  /** A full Authorization header value; overrides `key`. */
  authorization?: string
  body?: unknown
  /** Sent verbatim instead of JSON-encoding `body`. */
  rawBody?: string
}

export async function api(cluster: EmulatedCluster, path: string, req: ApiRequest = {}): Promise<ApiResponse> {
  const headers: Record<string, string> = {}
  const authorization = req.authorization ?? (req.key ? `Simple ${req.key}` : undefined)
  if (authorization !== undefined) headers.Authorization = authorization
  const body = req.rawBody ?? (req.body === undefined ? undefined : JSON.stringify(req.body))
  if (body !== undefined) headers['Content-Type'] = 'application/json'
  const response = await fetch(`${cluster.url}${path}`, { method: req.method ?? 'GET', headers, body })
  const text = await response.text()
  let parsed: unknown = undefined
  try {
    parsed = text ? JSON.parse(text) : undefined
  } catch {
    parsed = text
  }
  return { status: response.status, headers: response.headers, body: parsed, text }
}

export interface GitResult {
  code: number
  stdout: string
  stderr: string
}

export interface GitAuth {
  user: string
  key: string
}

export function basicAuthHeader(auth: GitAuth): string {
  return `Authorization: Basic ${Buffer.from(`${auth.user}:${auth.key}`).toString('base64')}`
}

/** Git with credentials in an http.extraHeader passed through the environment. */
export function gitEnv(auth?: GitAuth): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: tmpdir(),
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_TERMINAL_PROMPT: '0',
    GIT_AUTHOR_NAME: 'Test',
    GIT_AUTHOR_EMAIL: 'test@example.com',
    GIT_COMMITTER_NAME: 'Test',
    GIT_COMMITTER_EMAIL: 'test@example.com'
  }
  if (auth) {
    env.GIT_CONFIG_COUNT = '1'
    env.GIT_CONFIG_KEY_0 = 'http.extraHeader'
    env.GIT_CONFIG_VALUE_0 = basicAuthHeader(auth)
  }
  return env
}

export function git(args: string[], opts: { cwd?: string; auth?: GitAuth } = {}): Promise<GitResult> {
  return new Promise(resolve => {
    execFile('git', args, { cwd: opts.cwd, env: gitEnv(opts.auth) }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0
      resolve({ code, stdout: stdout.toString(), stderr: stderr.toString() })
    })
  })
}

/** Runs git and fails the test with git's stderr when it exits non-zero. */
export async function gitOk(args: string[], opts: { cwd?: string; auth?: GitAuth } = {}): Promise<string> {
  const result = await git(args, opts)
  if (result.code !== 0) throw new Error(`git ${args.join(' ')} failed (${result.code}): ${result.stderr}`)
  return result.stdout.trim()
}

export function repoUrl(cluster: EmulatedCluster, owner: string, name: string): string {
  return `${cluster.url}/git/${owner}/${name}.git`
}

/** Clones owner/name into a fresh directory and returns it. */
export async function cloneRepo(fixture: Fixture, cluster: EmulatedCluster, owner: string, name: string, auth: GitAuth): Promise<string> {
  const dir = join(await fixture.tmp(), name)
  await gitOk(['clone', '--quiet', repoUrl(cluster, owner, name), dir], { auth })
  return dir
}

/** Writes, stages and commits one file in a working copy; returns the new sha. */
export async function commitFile(dir: string, path: string, content: string, message = `edit ${path}`): Promise<string> {
  await mkdir(join(dir, dirname(path)), { recursive: true })
  await writeFile(join(dir, path), content)
  await gitOk(['add', '--', path], { cwd: dir })
  await gitOk(['commit', '--quiet', '-m', message], { cwd: dir })
  return gitOk(['rev-parse', 'HEAD'], { cwd: dir })
}
