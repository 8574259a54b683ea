import { AnswerShapeProblem, type AnswerReader, readPageOrList } from './answers.js'
import { ClusterAnswerError } from './errors.js'
import type { ClusterHttp } from './http.js'
import { ListingGuard, type ListingBounds } from './listing.js'

/**
 * Far more than any organization has (a hundred thousand accounts or algorithms), far less than would
 * exhaust the runner's memory; a listing that would pass them fails instead of ending short.
 */
const API_LISTING_BOUNDS: ListingBounds = { maxPages: 2000, maxEntries: 100_000 }

/** Items per page where the spec pages a list. */
export const PAGE_SIZE = 50

/** One paged list route of the management API. */
export interface PagedList<T> {
  /** Path below `/v1`, already encoded, without a query. */
  readonly path: string
  /** Query parameters of every page besides `limit` and `marker`. */
  readonly query?: string
  /** What is listed, in words, for errors. */
  readonly what: string
  readonly readItem: AnswerReader<T>
  /** What makes an item unique in the list (an item listed twice fails the listing). */
  readonly keyOf?: (item: T) => string
  /**
   * Items asked for per page, for routes the spec pages with `limit`; left out for routes the spec
   * answers as a bare list (a cluster that pages them anyway is followed by its markers).
   */
  readonly pageSize?: number
}

/**
 * Every item of a marker-paged list, each checked by `readItem`. Some list
 * routes answer a bare array (as the spec describes them): it is taken whole.
 * The listing is whole or an error (see ListingGuard).
 */
export async function allPagesOrList<T>(http: ClusterHttp, cluster: string, list: PagedList<T>): Promise<T[]> {
  const guard = new ListingGuard<T>({ cluster, path: list.path, what: list.what }, API_LISTING_BOUNDS, list.keyOf)
  const results: T[] = []
  let marker: string | undefined
  do {
    const limit = list.pageSize === undefined ? '' : `limit=${list.pageSize}`
    const params = [list.query ?? '', limit, marker ? `marker=${encodeURIComponent(marker)}` : ''].filter(Boolean).join('&')
    const request = { method: 'GET' as const, path: params ? `${list.path}?${params}` : list.path }
    const read = readAnswer(cluster, request, readPageOrList(list.readItem), await http.request<unknown>(request))
    results.push(...read.results)
    marker = guard.page(read.results, read.marker)
  } while (marker)
  return results
}

/** Checks an answer's shape with `reader`, naming the cluster and the request when it is wrong. */
export function readAnswer<T>(cluster: string, request: { method: string; path: string }, reader: AnswerReader<T>, answer: unknown): T {
  try {
    return reader(answer)
  } catch (error) {
    if (!(error instanceof AnswerShapeProblem)) throw error
    throw new ClusterAnswerError(cluster, request.method, request.path, `answered with an unexpected shape: ${error.message}`)
  }
}
