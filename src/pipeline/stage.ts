import type { ClusterAccount } from '../core/config.js'
import type { ClusterSession } from '../cluster/session.js'
import type { CommitIdentity } from '../git/object-store.js'
import type { RemoteRepository } from '../git/remote.js'
import type { ServerCapabilities } from '../git/server-capabilities.js'
import type { RunnerGit } from '../git/runner-git.js'
import type { DestinationWrite, WorkAhead } from '../promotion/work-ahead.js'
import type { PromotionConfig } from '../core/config.js'
import type { PromotionStep } from '../promotion/result.js'
import type { Logger, PromotionPhase } from '../util/log.js'

/** One algorithm going to one destination, as the first stage sees it. Later stages add their own typed facts. */
export interface Target {
  readonly algorithm: string
  /** The algorithm's repository on the source cluster. */
  readonly sourceRemote: RemoteRepository
  /** The destination cluster, with its API client. */
  readonly session: ClusterSession
  /** The algorithm's repository on the destination cluster. */
  readonly remote: RemoteRepository
  /** `algorithm → destination`, for log lines. */
  readonly label: string
}

/** What every stage may use: the run's configuration and services. */
export interface RunContext {
  readonly config: PromotionConfig
  readonly source: ClusterSession
  readonly logger: Logger
  readonly redact: (text: string) => string
  /** A folder of this run's own, removed by the front end when the run ends. */
  readonly workDir: string
  readonly identity: CommitIdentity
  /** What each git server of the run can do (partial clone or not), learnt once per host. */
  readonly gitServers: ServerCapabilities
  /** The runner's side of every git process: the environment git may inherit, its network settings. */
  readonly git: RunnerGit
  /** Work started ahead of the stage that needs it: the only place such state lives (see WorkAhead). */
  readonly ahead: WorkAhead
  /** Work to wait for before the work directory may be removed (a prefetch still writing into it, say). */
  waitBeforeCleanup(task: () => Promise<void>): void
}

/** What a stage may do for the target it works on. */
export interface TargetContext {
  readonly run: RunContext
  /** Moves to a later step within the stage (build, then publish), so a failure names the right one. */
  step(step: PromotionStep): void
  progress(phase: PromotionPhase): void
  /** Remembers the destination head as last read: a failure reports it as what was left in place. */
  sawHead(commit: string | undefined): void
  /** The stage wrote this to the target's destination: what was asked ahead about it no longer holds. */
  wrote(what: DestinationWrite): void
}

/**
 * How a stage's work is spread:
 * - `algorithm`: once per algorithm, its output shared by every destination of it;
 * - `targets-of-algorithm`: for each target, the destinations of one algorithm one after
 *   another (they share its object stores), algorithms side by side;
 * - `target`: every target on its own, side by side.
 */
export type StageScope = 'algorithm' | 'targets-of-algorithm' | 'target'

/**
 * One step of a run. It takes a target carrying what earlier stages found
 * (`Needs`) and returns what it adds (`Adds`); a thrown error fails the target
 * (or, with scope `algorithm`, every target of the algorithm) and the later
 * stages skip it.
 */
export interface Stage<Needs extends Target, Adds extends object> {
  /** The log group's title. */
  readonly title: string
  /** Named in a failure's message and in `failedStep`. */
  readonly step: PromotionStep
  readonly scope: StageScope
  /** Whose cluster a failure concerns, for the advice in its message. */
  readonly side: 'source' | 'destination'
  /**
   * Decides, before the stage runs, that a target does not need it: returns
   * what the stage adds without doing the work, or undefined to run it.
   */
  readonly skip?: (target: Needs, config: PromotionConfig) => Adds | undefined
  readonly run: (target: Needs, context: TargetContext) => Promise<Adds>
  /** With scope `targets-of-algorithm`: after the algorithm's last target went through, whatever its outcome. */
  readonly afterAlgorithm?: (targets: readonly Needs[], context: RunContext) => Promise<void>
}

/**
 * Thrown by a stage that did part of its work before it failed (versions of a
 * history published before one failed, say): what it did stays on the failed
 * target, so the results report it; `cause` is the failure itself.
 */
export class FailedAfterProgress extends Error {
  override readonly name = 'FailedAfterProgress'

  constructor(
    override readonly cause: unknown,
    readonly adds: object
  ) {
    super(cause instanceof Error ? cause.message : String(cause))
  }
}

export interface Failure {
  readonly step: PromotionStep
  readonly message: string
}

/** Where a target ended: through every stage, or failed in one (keeping the facts found before). */
export type Settled<T extends Target> =
  | { readonly ok: true; readonly target: T }
  | {
      readonly ok: false
      readonly target: Target & Partial<T>
      readonly failure: Failure
      /** The destination head as last read before the failure. */
      readonly headSeen?: string
    }

export function accountOf(side: Stage<Target, object>['side'], target: Target, context: RunContext): ClusterAccount {
  return side === 'source' ? context.source.account : target.session.account
}
