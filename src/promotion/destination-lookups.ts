import type { ClusterSession } from '../cluster/session.js'
import type { Algorithm } from '../cluster/types.js'
import { readRefsDirectly, type RefAdvertisement } from '../git/ref-advertisement.js'
import type { RemoteRepository } from '../git/remote.js'

/** One algorithm on one destination, as far as looking it up goes. */
export interface DestinationAddress {
  readonly algorithm: string
  readonly session: ClusterSession
  readonly remote: RemoteRepository
}

/** A failure kept as a value until someone asks for the answer, so an early question never goes unhandled. */
type Held<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: unknown }

const hold = <T>(promise: Promise<T>): Promise<Held<T>> =>
  promise.then(
    value => ({ ok: true, value }),
    (error: unknown) => ({ ok: false, error })
  )

function unwrap<T>(held: Held<T>): T {
  if (!held.ok) throw held.error
  return held.value
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
  private readonly algorithms = new Map<string, Promise<Held<Algorithm | undefined>>>()
  private readonly refs = new Map<string, Promise<Held<RefAdvertisement | undefined>>>()

  constructor(
    private readonly destinations: readonly DestinationAddress[],
    private readonly timeoutMs: number
  ) {}

  /** Starts both questions for each destination of `algorithm`; answers wait until taken. */
  start(algorithm: string): void {
    for (const destination of this.destinations.filter(candidate => candidate.algorithm === algorithm)) {
      const key = keyOf(destination)
      if (!this.algorithms.has(key)) {
        this.algorithms.set(key, hold(destination.session.api.getAlgorithm(destination.session.account.algoOwner, destination.algorithm)))
      }
      if (!this.refs.has(key)) this.refs.set(key, hold(readRefsDirectly(destination.remote, this.timeoutMs)))
    }
  }

  /** The destination algorithm as the API describes it, undefined when it does not exist. */
  async algorithm(destination: DestinationAddress): Promise<Algorithm | undefined> {
    const early = this.algorithms.get(keyOf(destination))
    if (early) return unwrap(await early)
    return destination.session.api.getAlgorithm(destination.session.account.algoOwner, destination.algorithm)
  }

  /**
   * The repository's refs as listed without git, or undefined when they could
   * not be (the caller then asks git, whose errors say why).
   */
  async refsOf(destination: DestinationAddress): Promise<RefAdvertisement | undefined> {
    const early = this.refs.get(keyOf(destination))
    return early ? unwrap(await early) : readRefsDirectly(destination.remote, this.timeoutMs)
  }

  /** The destination was written (created, pushed to): earlier answers no longer hold. */
  changed(destination: DestinationAddress): void {
    this.algorithms.delete(keyOf(destination))
    this.refs.delete(keyOf(destination))
  }
}

function keyOf(destination: DestinationAddress): string {
  return destination.remote.url
}
