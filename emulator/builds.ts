// Build lifecycle: a build is in-progress for `delayMs`, then succeeds or
// fails depending on the configured failure rules applied to the built tree.
import { randomUUID } from 'node:crypto'
import { EventEmitter } from 'node:events'
import type { RepoStore } from './repos.js'
import type { AlgorithmRecord, BuildRecord, ClusterState } from './state.js'
import type { BuildControls } from './types.js'

/** Returns why a tree must fail to build, or undefined when it may succeed. */
type FailureRule = (files: string[]) => string | undefined

export class BuildRunner implements BuildControls {
  private readonly rules: FailureRule[] = []
  private held = false
  private readonly heldStarts: Array<() => void> = []
  private readonly timers = new Set<NodeJS.Timeout>()
  private readonly events = new EventEmitter().setMaxListeners(0)
  private stopped = false

  constructor(
    private readonly state: ClusterState,
    private readonly repos: RepoStore,
    private readonly delayMs: number
  ) {}

  failWhen(pred: (files: string[]) => boolean): void {
    this.rules.push(files => (pred(files) ? 'the tree was rejected by a build check' : undefined))
  }

  failTreesContaining(path: string): void {
    this.rules.push(files => (files.includes(path) ? `${path}: unsupported file in algorithm source` : undefined))
  }

  clearFailures(): void {
    this.rules.length = 0
  }

  get isHolding(): boolean {
    return this.held
  }

  holdInProgress(on: boolean): void {
    this.held = on
    if (!on) this.heldStarts.splice(0).forEach(start => start())
  }

  /**
   * Starts a build of `commitSha` unless the algorithm already has one: push
   * detection and direct commits can both notice the same new head.
   */
  ensureBuild(algo: AlgorithmRecord, commitSha: string): BuildRecord {
    return algo.builds.find(build => build.commitSha === commitSha) ?? this.start(algo, commitSha)
  }

  /** Always starts a new build (the compile endpoint rebuilds an already built head). */
  start(algo: AlgorithmRecord, commitSha: string): BuildRecord {
    const build: BuildRecord = {
      id: randomUUID(),
      seq: this.state.nextSeq(),
      commitSha,
      status: 'in-progress',
      startedAt: new Date()
    }
    algo.builds.push(build)
    // Read the tree now: the commit is what was pushed, whatever happens later.
    const files = this.repos.listFiles(algo.owner, algo.name, commitSha)
    files.catch(() => undefined) // reported by finish()
    const begin = (): void => this.schedule(() => this.finish(algo, build, files))
    if (this.held) this.heldStarts.push(begin)
    else begin()
    return build
  }

  /** Resolves when the build has finished (at once if it already has). */
  whenFinished(build: BuildRecord): Promise<BuildRecord> {
    return this.waitUntil(() => (build.status === 'in-progress' ? undefined : build))
  }

  /** Resolves with the newest build of `commitSha` once it has finished; waits for it to be started. */
  waitForCommit(owner: string, name: string, commitSha: string): Promise<BuildRecord> {
    return this.waitUntil(() => {
      const builds = this.state.findAlgorithm(owner, name)?.builds ?? []
      const newest = builds.filter(build => build.commitSha === commitSha).at(-1)
      return newest && newest.status !== 'in-progress' ? newest : undefined
    })
  }

  stop(): void {
    this.stopped = true
    this.timers.forEach(timer => clearTimeout(timer))
    this.timers.clear()
    this.heldStarts.length = 0
    this.events.emit('stopped')
  }

  private waitUntil(probe: () => BuildRecord | undefined): Promise<BuildRecord> {
    return new Promise((resolve, reject) => {
      const onFinished = (): void => {
        const build = probe()
        if (!build) return
        cleanup()
        resolve(build)
      }
      const onStopped = (): void => {
        cleanup()
        reject(new Error('cluster stopped before the build finished'))
      }
      const cleanup = (): void => {
        this.events.off('finished', onFinished)
        this.events.off('stopped', onStopped)
      }
      if (this.stopped) return onStopped()
      this.events.on('finished', onFinished)
      this.events.on('stopped', onStopped)
      onFinished()
    })
  }

  private schedule(task: () => Promise<void>): void {
    if (this.stopped) return
    const timer = setTimeout(() => {
      this.timers.delete(timer)
      void task()
    }, this.delayMs)
    this.timers.add(timer)
  }

  private async finish(algo: AlgorithmRecord, build: BuildRecord, filesPromise: Promise<string[]>): Promise<void> {
    let files: string[] = []
    let failure: string | undefined
    try {
      files = await filesPromise
      failure = this.rules.map(rule => rule(files)).find(Boolean)
    } catch {
      failure = `commit ${build.commitSha} could not be read`
    }
    if (this.stopped) return
    build.status = failure ? 'failed' : 'succeeded'
    build.finishedAt = new Date()
    build.logs = buildLogs(algo, build, files, failure)
    this.events.emit('finished')
  }
}

function buildLogs(algo: AlgorithmRecord, build: BuildRecord, files: string[], failure?: string): string {
  const lines = [`Building algorithm ${algo.owner}/${algo.name} at commit ${build.commitSha}`, `Source tree: ${files.length} files`]
  if (files.includes('requirements.txt')) lines.push('Installing dependencies from requirements.txt')
  lines.push(failure ? `ERROR: build failed: ${failure}` : 'Build succeeded')
  return lines.join('\n') + '\n'
}
