// Bare repositories on disk: creation with the template commit, commits
// written directly with plumbing (no working tree), and tree/history reads.
import { createHash, randomUUID } from 'node:crypto'
import { existsSync } from 'node:fs'
import { appendFile, mkdir, rename, rm, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { deflateSync } from 'node:zlib'
import { GitRunner } from './git-exec.js'
import type { CommitOptions, LogEntry } from './types.js'

const MASTER = 'refs/heads/master'
const ZERO_SHA = '0000000000000000000000000000000000000000'

// Appended to the config `git init` writes, in one file write instead of one
// `git config` process per setting. Partial clone (uploadpack.allowFilter) is
// added only on request: nothing public says Algorithmia's git server has it.
const PARTIAL_CLONE_CONFIG = `[uploadpack]
\tallowFilter = true
`

const REPO_CONFIG = `[http]
\treceivepack = true
[uploadpack]
\tallowReachableSHA1InWant = true
\tallowAnySHA1InWant = true
[receive]
\tdenyNonFastForwards = true
\tdenyDeletes = true
[core]
\tlogAllRefUpdates = false
`

export type FileContents = Record<string, string | Buffer>

export interface TreeChange {
  files: FileContents
  replace: boolean
  deletes: string[]
}

export class RepoStore {
  // Per-repository promise chain: creation and commits run one at a time, and
  // reads wait for them, so callers never observe a half-created repository.
  private readonly chains = new Map<string, Promise<unknown>>()

  constructor(
    readonly reposRoot: string,
    private readonly tmpDir: string,
    private readonly git: GitRunner,
    /** Serve partial clone (`--filter`); off, a server ignores filters and sends whole trees. */
    private readonly partialClone = false
  ) {}

  path(owner: string, name: string): string {
    return join(this.reposRoot, owner, `${name}.git`)
  }

  /** Creates the bare repository holding one template commit on master; returns its sha. */
  create(owner: string, name: string, files: FileContents, message: string): Promise<string> {
    const dir = this.path(owner, name)
    return this.serialize(dir, async () => {
      await rm(dir, { recursive: true, force: true })
      await mkdir(dirname(dir), { recursive: true })
      await this.git.run(['init', '--bare', '--quiet', '--initial-branch=master', dir])
      await appendFile(join(dir, 'config'), REPO_CONFIG + (this.partialClone ? PARTIAL_CLONE_CONFIG : ''))
      return this.writeCommit(dir, { files, replace: true, deletes: [] }, message)
    })
  }

  remove(owner: string, name: string): Promise<void> {
    const dir = this.path(owner, name)
    return this.serialize(dir, () => rm(dir, { recursive: true, force: true }))
  }

  /** Resolves once pending creation and commits on this repository have finished. */
  async settled(owner: string, name: string): Promise<void> {
    await this.chains.get(this.path(owner, name))?.catch(() => undefined)
  }

  /** Writes a commit on master and returns its sha. */
  commit(owner: string, name: string, files: FileContents, opts: CommitOptions = {}): Promise<string> {
    const dir = this.path(owner, name)
    const change: TreeChange = { files, replace: opts.replace ?? true, deletes: opts.deletes ?? [] }
    return this.serialize(dir, () => this.writeCommit(dir, change, opts.message ?? 'Update files'))
  }

  async head(owner: string, name: string): Promise<string | undefined> {
    await this.settled(owner, name)
    return this.readMaster(this.path(owner, name))
  }

  /** Whether `sha` names a commit of the repository (reachable or not). */
  async hasCommit(owner: string, name: string, sha: string): Promise<boolean> {
    await this.settled(owner, name)
    try {
      const type = await this.git.run(['cat-file', '-t', sha], { gitDir: this.path(owner, name) })
      return type.toString('utf8').trim() === 'commit'
    } catch {
      return false
    }
  }

  /** Every file path in the tree at `rev`. */
  async listFiles(owner: string, name: string, rev: string): Promise<string[]> {
    await this.settled(owner, name)
    const out = await this.git.run(['ls-tree', '-r', '-z', '--name-only', '--full-tree', rev], {
      gitDir: this.path(owner, name)
    })
    return splitNul(out)
  }

  /** Every file (blobs, including dotfiles and symlink targets) in the tree at `rev`. */
  async readTree(owner: string, name: string, rev = MASTER): Promise<Record<string, Buffer>> {
    await this.settled(owner, name)
    const gitDir = this.path(owner, name)
    const listing = await this.git.run(['ls-tree', '-r', '-z', '--full-tree', rev], { gitDir })
    const blobs = parseLsTree(listing).filter(entry => entry.type === 'blob')
    const contents = await this.readBlobs(
      gitDir,
      blobs.map(entry => entry.sha)
    )
    const files: Record<string, Buffer> = {}
    blobs.forEach((entry, i) => (files[entry.path] = contents[i]))
    return files
  }

  /** Master history, newest first. */
  async log(owner: string, name: string): Promise<LogEntry[]> {
    await this.settled(owner, name)
    const gitDir = this.path(owner, name)
    if (!(await this.readMaster(gitDir))) return []
    const out = await this.git.run(['log', '--format=%H%x1f%P%x1f%B%x1e', MASTER], { gitDir })
    return parseLog(out.toString('utf8'))
  }

  /** Resolves when every queued creation, commit and removal has finished. */
  async drain(): Promise<void> {
    await Promise.all([...this.chains.values()].map(chain => chain.catch(() => undefined)))
  }

  private serialize<T>(dir: string, task: () => Promise<T>): Promise<T> {
    const previous = this.chains.get(dir) ?? Promise.resolve()
    const result = previous.catch(() => undefined).then(task)
    this.chains.set(dir, result)
    return result
  }

  private async readMaster(gitDir: string): Promise<string | undefined> {
    if (!existsSync(gitDir)) return undefined
    // for-each-ref prints nothing (instead of failing) when master does not exist.
    const sha = await this.git.text(['for-each-ref', '--format=%(objectname)', MASTER], { gitDir })
    return sha || undefined
  }

  private async writeCommit(gitDir: string, change: TreeChange, message: string): Promise<string> {
    // A push can move master between reading the parent and updating the ref;
    // update-ref compares and swaps, so retry on a fresh parent.
    for (let attempt = 1; ; attempt++) {
      const parent = await this.readMaster(gitDir)
      const tree = await this.buildTree(gitDir, parent, change)
      const sha = await this.commitTree(gitDir, tree, parent, message)
      if (await this.advanceMaster(gitDir, sha, parent)) return sha
      if (attempt >= 5) throw new Error(`master of ${gitDir} kept moving; commit abandoned`)
    }
  }

  /** Builds the tree in a throwaway index file, so the bare repository needs no working tree. */
  private async buildTree(gitDir: string, parent: string | undefined, change: TreeChange): Promise<string> {
    const env = { GIT_INDEX_FILE: join(this.tmpDir, `index-${randomUUID()}`) }
    try {
      if (parent && !change.replace) await this.git.run(['read-tree', parent], { gitDir, env })
      const removals = change.deletes.length ? await this.expandDeletes(gitDir, env, change.deletes) : []
      const additions = await Promise.all(
        Object.entries(change.files).map(async ([path, content]) => {
          return `100644 ${await writeBlob(gitDir, toBuffer(content))}\t${path}\0`
        })
      )
      const removalLines = removals.map(path => `0 ${ZERO_SHA}\t${path}\0`)
      const input = removalLines.join('') + additions.join('')
      await this.git.run(['update-index', '-z', '--index-info'], { gitDir, env, input })
      return await this.git.text(['write-tree'], { gitDir, env })
    } finally {
      await rm(env.GIT_INDEX_FILE, { force: true })
    }
  }

  /** A delete names a file or a directory; a directory removes everything under it. */
  private async expandDeletes(gitDir: string, env: Record<string, string>, deletes: string[]): Promise<string[]> {
    const indexed = splitNul(await this.git.run(['ls-files', '-z'], { gitDir, env }))
    return indexed.filter(path => deletes.some(d => path === d || path.startsWith(d.replace(/\/$/, '') + '/')))
  }

  private async commitTree(gitDir: string, tree: string, parent: string | undefined, message: string): Promise<string> {
    const args = ['commit-tree', tree, ...(parent ? ['-p', parent] : []), '-F', '-']
    return this.git.text(args, { gitDir, input: message.endsWith('\n') ? message : message + '\n' })
  }

  private async advanceMaster(gitDir: string, sha: string, expected: string | undefined): Promise<boolean> {
    try {
      await this.git.run(['update-ref', MASTER, sha, expected ?? ZERO_SHA], { gitDir })
      return true
    } catch {
      return false
    }
  }

  /** Reads many blobs with one `cat-file --batch` process. */
  private async readBlobs(gitDir: string, shas: string[]): Promise<Buffer[]> {
    if (shas.length === 0) return []
    const out = await this.git.run(['cat-file', '--batch'], { gitDir, input: shas.join('\n') + '\n' })
    return parseCatFileBatch(out, shas.length)
  }
}

function toBuffer(content: string | Buffer): Buffer {
  return typeof content === 'string' ? Buffer.from(content, 'utf8') : content
}

/**
 * Writes a loose blob object. Doing this in-process (git's documented object
 * format: zlib("blob <len>\0" + content), named by its SHA-1) avoids one
 * `git hash-object` process per file when seeding large trees.
 */
async function writeBlob(gitDir: string, content: Buffer): Promise<string> {
  const raw = Buffer.concat([Buffer.from(`blob ${content.length}\0`), content])
  const sha = createHash('sha1').update(raw).digest('hex')
  const file = join(gitDir, 'objects', sha.slice(0, 2), sha.slice(2))
  if (existsSync(file)) return sha
  await mkdir(dirname(file), { recursive: true })
  const tmp = `${file}.tmp-${randomUUID()}`
  await writeFile(tmp, deflateSync(raw), { mode: 0o444 })
  await rename(tmp, file)
  return sha
}

function splitNul(out: Buffer): string[] {
  return out.toString('utf8').split('\0').filter(Boolean)
}

interface LsTreeEntry {
  type: string
  sha: string
  path: string
}

function parseLsTree(out: Buffer): LsTreeEntry[] {
  return splitNul(out).map(line => {
    const tab = line.indexOf('\t')
    const [, type, sha] = line.slice(0, tab).split(' ')
    return { type, sha, path: line.slice(tab + 1) }
  })
}

/** Parses `<sha> <type> <size>\n<content>\n` records. */
function parseCatFileBatch(out: Buffer, count: number): Buffer[] {
  const contents: Buffer[] = []
  let offset = 0
  for (let i = 0; i < count; i++) {
    const headerEnd = out.indexOf(0x0a, offset)
    const size = Number(out.subarray(offset, headerEnd).toString('utf8').split(' ')[2])
    contents.push(Buffer.from(out.subarray(headerEnd + 1, headerEnd + 1 + size)))
    offset = headerEnd + 1 + size + 1
  }
  return contents
}

function parseLog(out: string): LogEntry[] {
  return out
    .split('\x1e')
    .map(record => record.replace(/^\n/, ''))
    .filter(Boolean)
    .map(record => {
      const [sha, parents, message] = record.split('\x1f')
      return { sha, parents: parents ? parents.split(' ') : [], message: message.replace(/\n+$/, '') }
    })
}
