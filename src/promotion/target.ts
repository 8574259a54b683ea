import type { ClusterSession } from '../cluster/session.js'
import type { RemoteRepository } from '../git/remote.js'
import type { AlgorithmObjects, SyncOutcome } from './code-sync.js'
import type { DestinationState } from './destination.js'
import type { PromotionResult, PromotionStep } from './result.js'
import type { SourceRevision } from './source.js'

export interface Failure {
  readonly step: PromotionStep
  readonly message: string
}

/** One source algorithm in a run: its resolved revision and objects, shared by its destinations. */
export class AlgorithmRun {
  source?: SourceRevision
  objects?: AlgorithmObjects
  failure?: Failure
  readonly targets: TargetRun[] = []

  constructor(
    readonly name: string,
    readonly sourceRemote: RemoteRepository
  ) {}
}

/** One algorithm going to one destination. */
export class TargetRun {
  destinationState?: DestinationState
  sync?: SyncOutcome
  destVersion = ''
  /** The destination head as last read: what a failure before the push leaves in place. */
  headSeen?: string
  /** Where the target is within a phase that spans two steps (build, then publish). */
  step?: PromotionStep
  failure?: Failure

  constructor(
    readonly algorithm: AlgorithmRun,
    readonly session: ClusterSession,
    readonly remote: RemoteRepository
  ) {}

  get label(): string {
    return `${this.algorithm.name} → ${this.session.account.cluster.label}`
  }

  /** Still worth working on: neither it nor its algorithm failed. */
  get active(): boolean {
    return !this.failure && !this.algorithm.failure
  }

  get pushed(): boolean {
    return this.sync?.kind === 'pushed'
  }

  result(): PromotionResult {
    const failure = this.failure ?? this.algorithm.failure
    return {
      algorithm: this.algorithm.name,
      destination: this.session.account.cluster.label,
      status: failure ? 'failed' : this.status(),
      sourceCommit: this.algorithm.source?.commit ?? '',
      sourceVersion: this.algorithm.source?.version ?? '',
      destCommit: this.sync?.destCommit ?? this.headSeen ?? '',
      destVersion: this.destVersion,
      newCommit: this.sync?.kind === 'pushed' || this.sync?.kind === 'planned',
      ...(failure ? { error: failure.message, failedStep: failure.step } : {}),
      ...(this.sync && this.sync.kind !== 'unchanged' ? { changes: this.sync.changes } : {})
    }
  }

  private status(): PromotionResult['status'] {
    // Created in this run, even if the template happened to equal the source.
    if (this.destinationState === 'created') return 'created'
    switch (this.sync?.kind) {
      case 'unchanged':
        return 'unchanged'
      case 'planned':
        return 'planned'
      default:
        return 'updated'
    }
  }
}
