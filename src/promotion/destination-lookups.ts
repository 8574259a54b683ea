import type { ClusterSession } from '../cluster/session.js'
import type { Algorithm } from '../cluster/types.js'
import { readRefsDirectly, type RefAdvertisement } from '../git/ref-advertisement.js'
import type { RemoteRepository } from '../git/remote.js'
import type { RunnerGit } from '../git/runner-git.js'
import { EarlyAnswers } from '../util/early-answers.js'

/** One algorithm on one destination, as far as looking it up goes. */
export interface DestinationAddress {
  readonly algorithm: string
  readonly session: ClusterSession
  readonly remote: RemoteRepository
}

/**
 * The two questions every destination of an algorithm is asked first —
 * does the algorithm exist (and what is its id), and what refs does its
 * repository list — asked as soon as the algorithm's turn comes, together with
 * the source's questions, instead of one stage after another: on a real network
 * each question asked later is a round trip more. The stages that need an
 * answer take it from here; what was written since (an algorithm created, code
 * pushed) is theirs to know, so an answer is dropped once its destination changes.
 */
export class DestinationLookups {
  private readonly algorithms = new EarlyAnswers<Algorithm | undefined>()
  private readonly refs = new EarlyAnswers<RefAdvertisement | null>()

  constructor(
    private readonly destinations: readonly DestinationAddress[],
    private readonly timeoutMs: number,
    private readonly git: RunnerGit
  ) {}

  /** Starts both questions for each destination of `algorithm`; answers wait until taken. */
  start(algorithm: string): void {
    for (const destination of this.destinations.filter(candidate => candidate.algorithm === algorithm)) {
      this.algorithms.ask(keyOf(destination), () => this.askAlgorithm(destination))
      this.refs.ask(keyOf(destination), () => this.listRefs(destination))
    }
  }

  /** The destination algorithm as the API describes it, undefined when it does not exist. */
  algorithm(destination: DestinationAddress): Promise<Algorithm | undefined> {
    return this.algorithms.take(keyOf(destination), () => this.askAlgorithm(destination))
  }

  /**
   * The repository's refs as listed without git, or null when they could not
   * be (the caller then asks git, whose errors say why).
   */
  refsOf(destination: DestinationAddress): Promise<RefAdvertisement | null> {
    return this.refs.take(keyOf(destination), () => this.listRefs(destination))
  }

  /** The destination was written (created, pushed to): earlier answers no longer hold. */
  changed(destination: DestinationAddress): void {
    this.algorithms.forget(keyOf(destination))
    this.refs.forget(keyOf(destination))
  }

  private async listRefs(destination: DestinationAddress): Promise<RefAdvertisement | null> {
    return (await readRefsDirectly(destination.remote, this.timeoutMs, this.git)) ?? null
  }

  private askAlgorithm(destination: DestinationAddress): Promise<Algorithm | undefined> {
    return destination.session.api.getAlgorithm(destination.session.account.algoOwner, destination.algorithm)
  }
}

/** The repository's URL names the cluster, the owner and the algorithm: one key per destination. */
function keyOf(destination: DestinationAddress): string {
  return destination.remote.url
}
