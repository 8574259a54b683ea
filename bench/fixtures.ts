/**
 * Deterministic source repositories for the benchmark.
 *
 * The history is written with `git fast-import` straight into the emulated
 * cluster's bare repository: one process, one pack, no per-commit process
 * spawning, so a few hundred commits with tens of MB take seconds. Every byte
 * comes from a seeded PRNG and every timestamp is fixed, so the same profile
 * gives the same commit ids on every run. The history does not start from the
 * emulator's template commit (whose timestamp varies); master is force-set to it.
 */
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { readdir, stat } from 'node:fs/promises'
import path from 'node:path'
import type { Writable } from 'node:stream'
import type { EmulatedCluster } from '../emulator/index.js'
import { runCommand } from './measure.js'

export interface RepoProfile {
  readonly commits: number
  /** Text files in the first commit; history adds and deletes a few. */
  readonly textFiles: number
  readonly meanTextBytes: number
  /** Sizes of the binary files ("model weights"); each is rewritten completely `binaryVersions - 1` times. */
  readonly binaryBytes: readonly number[]
  readonly binaryVersions: number
  /** Text files edited by each commit after the first. */
  readonly editsPerCommit: number
}

const MB = 1024 * 1024

/** The heavy algorithm: a few hundred commits, a few thousand files, tens of MB, several-MB binaries that change. */
export const HEAVY: RepoProfile = {
  commits: 300,
  textFiles: 3000,
  meanTextBytes: 3000,
  binaryBytes: [3 * MB, 4 * MB, 5 * MB, 6 * MB],
  binaryVersions: 4,
  editsPerCommit: 8
}
/** The small size of the memory comparison: a typical algorithm. */
export const SMALL: RepoProfile = {
  commits: 20,
  textFiles: 40,
  meanTextBytes: 2000,
  binaryBytes: [200 * 1024],
  binaryVersions: 2,
  editsPerCommit: 3
}
/** `--quick`: the same shape, about a tenth of the size. */
export const QUICK_HEAVY: RepoProfile = {
  commits: 60,
  textFiles: 400,
  meanTextBytes: 3000,
  binaryBytes: [1 * MB, 2 * MB],
  binaryVersions: 3,
  editsPerCommit: 6
}
export const QUICK_SMALL: RepoProfile = {
  commits: 10,
  textFiles: 20,
  meanTextBytes: 2000,
  binaryBytes: [],
  binaryVersions: 1,
  editsPerCommit: 2
}

export interface RepoFacts {
  readonly head: string
  readonly commits: number
  readonly files: number
  /** Sum of the file sizes at head. */
  readonly treeBytes: number
  /** Size of the repository's object store on the server (the full history). */
  readonly storeBytes: number
}

/** sfc32: small, fast, and good enough to make incompressible bytes and varied text. */
export class Prng {
  private a: number
  private b: number
  private c: number
  private d: number

  constructor(seed: number) {
    this.a = 0x9e3779b9
    this.b = 0x243f6a88
    this.c = 0xb7e15162
    this.d = seed >>> 0
    for (let i = 0; i < 16; i++) this.next()
  }

  /** A uint32. */
  next(): number {
    this.a >>>= 0
    this.b >>>= 0
    this.c >>>= 0
    this.d >>>= 0
    const t = (((this.a + this.b) | 0) + this.d) | 0
    this.d = (this.d + 1) | 0
    this.a = this.b ^ (this.b >>> 9)
    this.b = (this.c + (this.c << 3)) | 0
    this.c = (this.c << 21) | (this.c >>> 11)
    this.c = (this.c + t) | 0
    return t >>> 0
  }

  below(n: number): number {
    return this.next() % n
  }

  pick<T>(items: readonly T[]): T {
    return items[this.below(items.length)]
  }

  bytes(length: number): Buffer {
    const words = new Uint32Array(Math.ceil(length / 4))
    for (let i = 0; i < words.length; i++) words[i] = this.next()
    return Buffer.from(words.buffer, 0, length)
  }
}

const WORDS = (
  'input output model tensor batch score label index value result config layer weight bias ' +
  'predict train load save parse token vector matrix feature sample window offset buffer cache state'
).split(' ')

/** Python-looking lines: compress like real source code (about 3-4x), unlike random bytes. */
export function codeLines(rng: Prng, bytes: number): string {
  const lines: string[] = []
  let size = 0
  while (size < bytes) {
    const name = `${rng.pick(WORDS)}_${rng.pick(WORDS)}`
    const line =
      rng.below(4) === 0
        ? `def ${name}(${rng.pick(WORDS)}, ${rng.pick(WORDS)}=${rng.below(1000)}):`
        : `    ${name} = ${rng.pick(WORDS)}.${rng.pick(WORDS)}(${rng.pick(WORDS)}, ${rng.below(100000)})  # ${rng.pick(WORDS)} ${rng.pick(WORDS)}`
    lines.push(line)
    size += line.length + 1
  }
  return lines.join('\n') + '\n'
}

function textPath(index: number): string {
  return `src/pkg_${Math.floor(index / 100)}/mod_${Math.floor(index / 10) % 10}/file_${index}.py`
}

/** Replaces a stretch of a file with new lines: a typical edit. */
function editText(rng: Prng, text: string): string {
  const lines = text.split('\n')
  const at = rng.below(Math.max(1, lines.length - 1))
  const removed = 1 + rng.below(4)
  lines.splice(
    at,
    removed,
    ...codeLines(rng, 60 + rng.below(400))
      .trimEnd()
      .split('\n')
  )
  return lines.join('\n')
}

/** Writes to fast-import's stdin, waiting when the pipe is full, failing if git exits early. */
class StreamWriter {
  private failure?: Error
  private wake?: () => void

  constructor(private readonly stream: Writable) {
    stream.on('error', error => {
      this.failure = error
      this.wake?.()
    })
    stream.on('close', () => {
      this.failure ??= new Error('git fast-import closed its input early')
      this.wake?.()
    })
    stream.on('drain', () => this.wake?.())
  }

  async write(chunk: string | Buffer): Promise<void> {
    if (this.failure) throw this.failure
    if (this.stream.write(chunk)) return
    await new Promise<void>(resolve => (this.wake = resolve))
    this.wake = undefined
    if (this.failure) throw this.failure
  }

  async data(content: string | Buffer): Promise<void> {
    const buffer = typeof content === 'string' ? Buffer.from(content) : content
    await this.write(`data ${buffer.length}\n`)
    await this.write(buffer)
    await this.write('\n')
  }
}

/** Environment for git processes the bench runs itself: nothing from the host's configuration. */
export function isolatedGitEnv(home: string): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, HOME: home, LANG: 'C', GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' }
}

/**
 * Creates `owner/name` on `cluster` and replaces its repository's history with
 * one generated from `profile` and `seed`.
 */
export async function generateAlgorithm(
  cluster: EmulatedCluster,
  owner: string,
  name: string,
  profile: RepoProfile,
  seed: number,
  home: string
): Promise<RepoFacts> {
  cluster.createAlgorithm(owner, name, { details: { label: name } })
  await cluster.headCommit(owner, name) // waits for the template commit, so the repository exists
  const gitDir = cluster.repoPath(owner, name)
  const git = spawn('git', ['fast-import', '--quiet', '--force', '--done'], {
    env: { ...isolatedGitEnv(home), GIT_DIR: gitDir },
    stdio: ['pipe', 'ignore', 'pipe']
  })
  const stderr: Buffer[] = []
  git.stderr.on('data', (chunk: Buffer) => stderr.push(chunk))
  const exited = once(git, 'close') as Promise<[number | null]>
  const facts = await writeHistory(new StreamWriter(git.stdin), profile, new Prng(seed))
  git.stdin.end()
  const [code] = await exited
  if (code !== 0) throw new Error(`git fast-import failed (${code}): ${Buffer.concat(stderr).toString()}`)
  const head = (
    await runCommand('git', ['rev-parse', 'refs/heads/master'], { env: { ...isolatedGitEnv(home), GIT_DIR: gitDir } })
  ).stdout.trim()
  return { ...facts, head, storeBytes: await directoryBytes(path.join(gitDir, 'objects')) }
}

async function writeHistory(out: StreamWriter, profile: RepoProfile, rng: Prng): Promise<Omit<RepoFacts, 'head' | 'storeBytes'>> {
  const texts = new Map<string, string>()
  const binaries = new Map<string, number>()
  let nextIndex = 0
  const binaryPaths = profile.binaryBytes.map((_, i) => `models/weights_${i}.bin`)
  for (let commit = 0; commit < profile.commits; commit++) {
    const changes: Array<[string, string | Buffer | null]> = []
    if (commit === 0) {
      for (; nextIndex < profile.textFiles; nextIndex++)
        changes.push([textPath(nextIndex), codeLines(rng, profile.meanTextBytes / 2 + rng.below(profile.meanTextBytes))])
      changes.push(['requirements.txt', 'numpy==1.26.4\nalgorithmia>=1.0.0,<2.0\n'], ['algorithmia.conf', '{"language": "python3-1"}\n'])
      binaryPaths.forEach((file, i) => changes.push([file, rng.bytes(profile.binaryBytes[i])]))
    } else {
      const live = [...texts.keys()]
      for (let e = 0; e < profile.editsPerCommit; e++) {
        const file = rng.pick(live)
        changes.push([file, editText(rng, texts.get(file)!)])
      }
      if (commit % 10 === 0) changes.push([textPath(nextIndex++), codeLines(rng, profile.meanTextBytes)])
      if (commit % 15 === 0) changes.push([rng.pick(live), null])
      // Binary i is rewritten at evenly spaced commits, staggered so no two change together.
      binaryPaths.forEach((file, i) => {
        const every = Math.floor(profile.commits / profile.binaryVersions)
        if (profile.binaryVersions > 1 && commit >= every && commit < every * profile.binaryVersions && commit % every === i + 1)
          changes.push([file, rng.bytes(profile.binaryBytes[i])])
      })
    }
    await writeCommit(out, commit, changes)
    for (const [file, content] of changes) {
      if (content === null) texts.delete(file)
      else if (typeof content === 'string') texts.set(file, content)
      else binaries.set(file, content.length)
    }
  }
  await out.write('done\n')
  let treeBytes = [...binaries.values()].reduce((sum, size) => sum + size, 0)
  for (const text of texts.values()) treeBytes += Buffer.byteLength(text)
  return { commits: profile.commits, files: texts.size + binaries.size, treeBytes }
}

async function writeCommit(out: StreamWriter, index: number, changes: Array<[string, string | Buffer | null]>): Promise<void> {
  const when = 1_600_000_000 + index * 3600
  await out.write(
    `commit refs/heads/master\nauthor Data Scientist <ds@example.com> ${when} +0000\ncommitter Data Scientist <ds@example.com> ${when} +0000\n`
  )
  await out.data(index === 0 ? 'Initial import of the model\n' : `Tune the model (change ${index})\n`)
  if (index === 0) await out.write('deleteall\n') // no parent: a root commit, whatever master held
  for (const [file, content] of changes) {
    if (content === null) {
      await out.write(`D ${file}\n`)
    } else {
      await out.write(`M 100644 inline ${file}\n`)
      await out.data(content)
    }
  }
  await out.write('\n')
}

/** Small algorithms for the scheduled sync: a handful of files each. */
export function smallAlgorithmFiles(rng: Prng, name: string): Record<string, string> {
  return {
    'algorithmia.conf': `{"algoname": "${name}", "language": "python3-1"}\n`,
    'requirements.txt': 'algorithmia>=1.0.0,<2.0\n',
    [`src/${name}.py`]: codeLines(rng, 1500),
    'src/helpers.py': codeLines(rng, 800),
    'src/__init__.py': ''
  }
}

async function directoryBytes(dir: string): Promise<number> {
  let total = 0
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) total += (await stat(path.join(entry.parentPath, entry.name))).size
  }
  return total
}
