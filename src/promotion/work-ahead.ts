import type { PromotionConfig } from '../core/config.js'
import type { RunnerGit } from '../git/runner-git.js'
import type { Logger } from '../util/log.js'
import { EarlyAnswers } from '../util/early-answers.js'
import { CollectionsPhase, type CollectionProgressListener } from './collections-phase.js'
import { DependencyAnswers } from './dependency-check.js'
import { DestinationLookups, type DestinationAddress } from './destination-lookups.js'

/** What a stage wrote to a destination: each makes some answers asked ahead stale. */
export type DestinationWrite = 'algorithm' | 'code' | 'secrets' | 'data' | 'version'

/**
 * Work that runs ahead of the stage that needs it, declared in one place so
 * that nothing else keeps such state (no module-level maps, no fields on the
 * run that nobody clears):
 * - `destinations`: each destination's first questions (does the algorithm
 *   exist, what refs does it list), asked when its source is resolved, taken by
 *   prepare destination, sync metadata, find data references and sync code;
 * - `secretNames`: the comparison of secret names, started while the code
 *   push runs, taken by check secrets;
 * - `collections`: the data side of the run (named collections copy while the
 *   code is synced; `auto` waits for the references), awaited by promote data
 *   and reported at the end;
 * - `dependencies`: what each destination holds of the algorithms the promoted
 *   code calls, asked by check dependencies once per destination and address,
 *   kept for the whole run (a later wave's callers ask about an earlier wave's callees).
 * A stage that writes to a destination says so (`wrote`), which drops every
 * answer that the write made stale; the stages that take answers later then ask again.
 */
export class WorkAhead {
  readonly secretNames = new EarlyAnswers<string[]>()

  private constructor(
    readonly destinations: DestinationLookups,
    readonly collections: CollectionsPhase,
    readonly dependencies: DependencyAnswers,
    private readonly timeoutMs: number,
    private readonly git: RunnerGit
  ) {}

  static start(
    targets: readonly DestinationAddress[],
    config: PromotionConfig,
    git: RunnerGit,
    logger: Logger,
    redact: (text: string) => string,
    onCollectionProgress?: CollectionProgressListener
  ): WorkAhead {
    const timeoutMs = config.retry.attemptTimeoutMs
    const collections = new CollectionsPhase(config, logger, redact, onCollectionProgress)
    return new WorkAhead(new DestinationLookups(targets, timeoutMs, git), collections, new DependencyAnswers(), timeoutMs, git)
  }

  /**
   * The same run's work ahead for another batch of its targets: the data side
   * goes on (collections are promoted once a run); the answers about the
   * destinations and secrets of the batch before are let go with it.
   */
  forTargets(targets: readonly DestinationAddress[]): WorkAhead {
    return new WorkAhead(
      new DestinationLookups(targets, this.timeoutMs, this.git),
      this.collections,
      this.dependencies,
      this.timeoutMs,
      this.git
    )
  }

  /** Drops what a write to `destination` made stale. */
  wrote(destination: DestinationAddress, what: DestinationWrite): void {
    if (what === 'algorithm' || what === 'code') this.destinations.changed(destination)
    // A caller in a later wave asks about this algorithm again: it may be created or published now.
    this.dependencies.forget(destination.session, destination.session.account.algoOwner, destination.algorithm)
    // Secret names are compared by the algorithm's id: a created (or re-created) algorithm, or new secrets, need a new comparison.
    if (what === 'algorithm' || what === 'secrets') this.secretNames.forget(secretComparisonKey(destination))
  }
}

/** Secret comparisons are kept per destination repository (one per algorithm and destination). */
export function secretComparisonKey(destination: DestinationAddress): string {
  return destination.remote.url
}
