import { AnswerShapeProblem, type AnswerReader, readPageOrList } from './answers.js'
import { ClusterAnswerError } from './errors.js'
import type { ClusterHttp } from './http.js'

/** Paging stops here: a cluster that keeps answering with markers should not hold a run forever. */
const MAX_PAGES = 100

/**
 * Every item of a marker-paged list, each checked by `readItem`. Some list
 * routes answer a bare array (as the spec describes them): it is taken whole.
 */
export async function allPagesOrList<T>(http: ClusterHttp, cluster: string, path: string, readItem: AnswerReader<T>): Promise<T[]> {
  const results: T[] = []
  let marker: string | undefined
  for (let page = 0; page < MAX_PAGES; page++) {
    const params = ['limit=50', marker ? `marker=${encodeURIComponent(marker)}` : ''].filter(Boolean).join('&')
    const request = { method: 'GET' as const, path: `${path}?${params}` }
    const answer = await http.request<unknown>(request)
    let read: { results: T[]; marker?: string }
    try {
      read = readPageOrList(readItem)(answer)
    } catch (error) {
      if (!(error instanceof AnswerShapeProblem)) throw error
      throw new ClusterAnswerError(cluster, request.method, request.path, `answered with an unexpected shape: ${error.message}`)
    }
    results.push(...read.results)
    marker = read.marker
    if (!marker || read.results.length === 0) break
  }
  return results
}
