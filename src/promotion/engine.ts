import { rmSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import path from 'node:path'
import { openSession, type ClusterSession } from '../cluster/session.js'
import { ObjectStore, type CommitIdentity } from '../git/object-store.js'
import { algorithmRepository } from '../git/remote.js'
import { assertGitVersion } from '../git/git-version.js'
import { stopRunningGit } from '../git/git-command.js'
import type { PromotionConfig } from '../inputs/config.js'
import { mapWithConcurrency } from '../util/concurrency.js'
import type { Logger, ProgressListener, PromotionPhase } from '../util/log.js'
import type { SecretRegistry } from '../util/secrets.js'
import { AlgorithmObjects, syncCode } from './code-sync.js'
import { commitMessage, defaultReleaseNotes, type CommitMessageFacts } from './commit-message.js'
import { prepareDestination } from './destination.js'
import { explainFailure } from './failure.js'
import { buildAndPublish } from './publisher.js'
import type { PromotionResult, PromotionStep } from './result.js'
import { resolveSource } from './source.js'
import { AlgorithmRun, TargetRun } from './target.js'

export interface EngineDependencies {
  readonly logger: Logger
  readonly secrets: SecretRegistry
  /** Where temporary repositories go; each run makes (and removes) its own folder inside. */
  readonly tempDir: string
  readonly identity?: CommitIdentity
  readonly onProgress?: ProgressListener
}

export const DEFAULT_IDENTITY: CommitIdentity = { name: 'algorithmia-promote', email: 'algorithmia-promote@users.noreply.github.com' }

/**
 * Promotes every algorithm to every destination, phase by phase (a log group
 * each). Algorithms run side by side up to `concurrency`; one failure never
 * stops the others. Never throws for a promotion's failure: it is in the results.
 */
export async function runPromotions(config: PromotionConfig, deps: EngineDependencies): Promise<PromotionResult[]> {
  const redact = (text: string): string => deps.secrets.redact(text)
  const source = openSession(config.source, config.retry, deps.logger, redact)
  const destinations = config.destinations.map(account => openSession(account, config.retry, deps.logger, redact))
  await assertGitVersion()
  const workDir = await mkdtemp(path.join(deps.tempDir, 'algorithmia-promote-'))
  const stopCleanupOnSignal = removeOnSignal(workDir)
  const runner = new PhaseRunner(config, deps, workDir)
  const algorithms = config.algorithms.map(
    name => new AlgorithmRun(name, algorithmRepository(config.source, config.source.algoOwner, name))
  )
  try {
    for (const algorithm of algorithms) {
      for (const session of destinations) {
        algorithm.targets.push(
          new TargetRun(algorithm, session, algorithmRepository(session.account, session.account.algoOwner, algorithm.name))
        )
      }
    }
    const targets = algorithms.flatMap(algorithm => algorithm.targets)
    await runner.resolveSources(source, algorithms)
    await runner.prepareDestinations(targets)
    await runner.syncCode(targets)
    if (config.publish && !config.dryRun) await runner.publish(targets)
    return targets.map(target => target.result())
  } finally {
    // A prefetch may still be writing into the work directory when a promotion failed early.
    await Promise.allSettled(algorithms.map(algorithm => algorithm.objects?.settled()))
    await removeWorkDirectory(workDir, deps.logger)
    stopCleanupOnSignal()
  }
}

/**
 * A cancelled job (SIGTERM) or Ctrl-C (SIGINT) must not leave repositories
 * behind: remove them synchronously, then let the signal end the process as usual.
 */
function removeOnSignal(workDir: string): () => void {
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM']
  const handler = (signal: NodeJS.Signals): void => {
    stopRunningGit()
    rmSync(workDir, { recursive: true, force: true })
    for (const name of signals) process.removeListener(name, handler)
    process.kill(process.pid, signal)
  }
  for (const name of signals) process.once(name, handler)
  return () => {
    for (const name of signals) process.removeListener(name, handler)
  }
}

/** Cleanup never replaces the run's results with its own error; it says what was left behind instead. */
async function removeWorkDirectory(workDir: string, logger: Logger): Promise<void> {
  try {
    await rm(workDir, { recursive: true, force: true, maxRetries: 3, retryDelay: 100 })
  } catch (error) {
    logger.warning(
      `could not remove the temporary repositories in ${workDir} (${(error as Error).message}); they hold no credentials, but delete them if the runner is reused.`
    )
  }
}

interface PhaseOptions {
  readonly oneAlgorithmAtATime: boolean
  /** With oneAlgorithmAtATime: runs after the algorithm's last target. */
  readonly afterAlgorithm?: (algorithm: AlgorithmRun) => Promise<void> | undefined
}

class PhaseRunner {
  constructor(
    private readonly config: PromotionConfig,
    private readonly deps: EngineDependencies,
    private readonly workDir: string
  ) {}

  async resolveSources(session: ClusterSession, algorithms: AlgorithmRun[]): Promise<void> {
    await this.phase('Resolve source versions', algorithms, async algorithm => {
      for (const target of algorithm.targets) this.progress(target, 'resolving')
      const storeOptions = {
        parentDir: this.workDir,
        retry: this.config.retry,
        logger: this.deps.logger,
        redact: (t: string) => this.deps.secrets.redact(t)
      }
      const createStore = (role: string): Promise<ObjectStore> => ObjectStore.create(`${algorithm.name}-${role}`, storeOptions)
      const probe = createStore('probe')
      try {
        algorithm.source = await resolveSource(session, await probe, algorithm.sourceRemote, algorithm.name, this.config.sourceVersion)
      } catch (error) {
        algorithm.failure = {
          step: 'resolve source',
          message: explainFailure(error, { algorithm: algorithm.name, step: 'resolve source', account: session.account, role: 'source' })
        }
        this.deps.logger.warning(algorithm.failure.message)
        for (const target of algorithm.targets) this.progress(target, 'failed')
        return
      }
      algorithm.objects = new AlgorithmObjects(
        role => (role === 'probe' ? probe : createStore(role)),
        algorithm.sourceRemote,
        algorithm.source.commit
      )
      const version = algorithm.source.version ? ` (version ${algorithm.source.version})` : ''
      this.deps.logger.info(
        `${algorithm.name}: source ${session.account.cluster.label} ${session.account.algoOwner}/${algorithm.name} at ${algorithm.source.commit}${version}`
      )
    })
  }

  async prepareDestinations(targets: TargetRun[]): Promise<void> {
    await this.forTargets('Prepare destination algorithms', 'prepare destination', targets, async target => {
      this.progress(target, 'creating')
      const source = target.algorithm.source!
      const sameCluster = target.session.account.cluster.apiUrl === this.config.source.cluster.apiUrl
      target.destinationState = await prepareDestination(
        target.session,
        target.algorithm.name,
        source.metadata,
        this.config.settingsOverride,
        this.config.dryRun,
        sameCluster
      )
      // A new destination needs the whole source: fetch it while the other destinations are prepared.
      if (target.destinationState === 'created') target.algorithm.objects!.prefetchComplete()
      const said = {
        exists: 'exists; its settings are left as they are',
        created: 'created with the source settings',
        missing: 'does not exist and would be created'
      }
      this.deps.logger.info(
        `${target.label}: ${target.session.account.algoOwner}/${target.algorithm.name} ${said[target.destinationState]}`
      )
    })
  }

  async syncCode(targets: TargetRun[]): Promise<void> {
    await this.forTargets(
      'Sync code',
      'sync code',
      targets,
      async target => {
        this.progress(target, 'fetching')
        const objects = target.algorithm.objects!
        if (target.destinationState === 'missing') {
          target.sync = {
            kind: 'planned',
            destCommit: '',
            changes: this.config.mode === 'plan' ? undefined : await objects.allSourceFiles()
          }
        } else {
          target.sync = await syncCode({
            objects,
            destination: target.remote,
            dryRun: this.config.dryRun,
            describeChanges: this.config.mode !== 'plan',
            identity: this.deps.identity ?? DEFAULT_IDENTITY,
            onPushing: () => this.progress(target, 'pushing'),
            onHead: commit => (target.headSeen = commit),
            freshDestination: target.destinationState === 'created',
            message: commitMessage(this.config.commitMessage, this.facts(target)),
            logger: this.deps.logger
          })
        }
        this.deps.logger.info(`${target.label}: ${describeSync(target)}`)
        if (!this.config.publish || this.config.dryRun || !target.pushed) this.progress(target, 'done')
      },
      { oneAlgorithmAtATime: true, afterAlgorithm: algorithm => algorithm.objects?.remove() }
    )
  }

  async publish(targets: TargetRun[]): Promise<void> {
    // Builds are independent of the object stores, so every target waits for its own at once.
    const options = { oneAlgorithmAtATime: false }
    await this.forTargets(
      'Build and publish',
      'build',
      targets.filter(target => target.pushed),
      async target => {
        this.progress(target, 'building')
        target.destVersion = await buildAndPublish({
          session: target.session,
          algorithm: target.algorithm.name,
          commit: target.sync!.destCommit,
          versionType: this.config.versionType,
          releaseNotes: this.config.releaseNotes ?? defaultReleaseNotes(this.facts(target)),
          buildTimeoutMs: this.config.buildTimeoutMs,
          retry: this.config.retry,
          logger: this.deps.logger,
          onBuilt: () => {
            target.step = 'publish'
            this.progress(target, 'publishing')
          }
        })
        this.deps.logger.info(`${target.label}: published version ${target.destVersion}`)
        this.progress(target, 'done')
      },
      options
    )
  }

  private facts(target: TargetRun): CommitMessageFacts {
    const source = target.algorithm.source!
    return {
      algorithm: target.algorithm.name,
      sourceCluster: this.config.source.cluster.label,
      sourceOwner: this.config.source.algoOwner,
      sourceCommit: source.commit,
      sourceVersion: source.version,
      destCluster: target.session.account.cluster.label,
      destOwner: target.session.account.algoOwner
    }
  }

  /**
   * Runs one step for every active target. Targets of one algorithm share its
   * object stores, so by default they go one after another, and the stores are
   * removed once the algorithm's last target is through.
   */
  private async forTargets(
    title: string,
    step: PromotionStep,
    targets: TargetRun[],
    work: (target: TargetRun) => Promise<void>,
    options: PhaseOptions = { oneAlgorithmAtATime: true }
  ): Promise<void> {
    const active = targets.filter(target => target.active)
    const groups = options.oneAlgorithmAtATime ? [...groupBy(active, target => target.algorithm).values()] : active.map(target => [target])
    await this.phase(title, groups, async group => {
      for (const target of group) {
        target.step = step
        try {
          await work(target)
        } catch (error) {
          const failedStep = target.step
          const failure = {
            step: failedStep,
            message: explainFailure(error, {
              algorithm: target.algorithm.name,
              step: failedStep,
              account: target.session.account,
              role: 'destination'
            })
          }
          target.failure = failure
          this.deps.logger.warning(failure.message)
          this.progress(target, 'failed')
        }
      }
      await options.afterAlgorithm?.(group[0].algorithm)
    })
  }

  private async phase<T>(title: string, items: T[], work: (item: T) => Promise<void>): Promise<void> {
    if (items.length === 0) return
    await this.deps.logger.group(title, async () => {
      await mapWithConcurrency(items, this.config.concurrency, work)
    })
  }

  private progress(target: TargetRun, phase: PromotionPhase): void {
    this.deps.onProgress?.({ algorithm: target.algorithm.name, destination: target.session.account.cluster.label, phase })
  }
}

function describeSync(target: TargetRun): string {
  const sync = target.sync!
  if (sync.kind === 'unchanged') return `unchanged: the destination already holds this code (${sync.destCommit})`
  if (!sync.changes) return 'needs promotion'
  const { added, modified, deleted } = sync.changes
  const counts = `${added.length} added, ${modified.length} modified, ${deleted.length} deleted`
  return sync.kind === 'planned' ? `would commit ${counts} (dry run)` : `pushed ${sync.destCommit} (${counts})`
}

function groupBy<T, K>(items: T[], key: (item: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>()
  for (const item of items) groups.set(key(item), [...(groups.get(key(item)) ?? []), item])
  return groups
}
