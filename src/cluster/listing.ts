import { ClusterAnswerError } from './errors.js'
import { quoteRemoteValue } from '../util/remote-text.js'

/** How far a paged listing may go before it is taken for a cluster that never ends one. */
export interface ListingBounds {
  readonly maxPages: number
  readonly maxEntries: number
}

/** Where a listing comes from, for its error. */
export interface ListingSource {
  readonly cluster: string
  readonly path: string
  /** What is listed, in words: "the users", "data://owner/models". */
  readonly what: string
}

/**
 * Follows one paged listing and refuses to let it end early or run forever:
 * a page cap or entry cap that is reached, a marker that comes back, or an
 * entry listed twice is an error naming the listing, never a silent end.
 * Whoever acts on a listing (prune above all) may then trust it is whole.
 */
export class ListingGuard<T> {
  private pages = 0
  private entries = 0
  private readonly markers = new Set<string>()
  private readonly keys = new Set<string>()

  constructor(
    private readonly source: ListingSource,
    private readonly bounds: ListingBounds,
    /** What makes an entry unique; two entries with the same key mean the listing went round again. */
    private readonly keyOf?: (entry: T) => string
  ) {}

  /** Takes one page's entries and its marker; answers the marker to ask for next, or undefined when the listing is whole. */
  page(entries: readonly T[], marker: string | undefined): string | undefined {
    this.pages += 1
    this.entries += entries.length
    if (this.entries > this.bounds.maxEntries) this.fail(`it passed ${this.bounds.maxEntries} entries`)
    for (const entry of entries) this.once(entry)
    if (!marker) return undefined
    if (this.markers.has(marker)) this.fail(`the marker ${quoteRemoteValue(marker)} came back on page ${this.pages}`)
    this.markers.add(marker)
    if (this.pages >= this.bounds.maxPages) this.fail(`it still had more after ${this.bounds.maxPages} pages`)
    return marker
  }

  private once(entry: T): void {
    if (!this.keyOf) return
    const key = this.keyOf(entry)
    if (this.keys.has(key)) this.fail(`${quoteRemoteValue(key)} is listed twice`)
    this.keys.add(key)
  }

  private fail(why: string): never {
    const { cluster, path, what } = this.source
    throw new IncompleteListingError(
      cluster,
      path,
      `the listing of ${what} cannot be trusted to be whole: ${why}. Nothing that depends on it was done; check the cluster's API (or a proxy in front of it), then run again.`
    )
  }
}

/** A listing that could not be read whole; nothing is pruned, matched or reported from it. */
export class IncompleteListingError extends ClusterAnswerError {
  constructor(cluster: string, path: string, problem: string) {
    super(cluster, 'GET', path, problem)
    this.name = 'IncompleteListingError'
  }
}
