import type { CollectionProgressListener } from '../promotion/collections-phase.js'
import { formatBytes } from '../promotion/collections-phase.js'
import type { Logger } from '../util/log.js'

/** Lines at most this often per collection, besides the first and the last. */
const EVERY_MS = 1000

/** Shows the bytes copied per collection as log lines: a start, then at most one a second, then the end. */
export function collectionProgressLines(logger: Logger, now: () => number = Date.now): CollectionProgressListener {
  const shownAt = new Map<string, number>()
  return event => {
    const key = `${event.destination}\0${event.collection}`
    const last = shownAt.get(key)
    const finished = event.copiedBytes >= event.totalBytes
    if (last !== undefined && !finished && now() - last < EVERY_MS) return
    if (last === Number.POSITIVE_INFINITY) return // the end was shown
    shownAt.set(key, finished ? Number.POSITIVE_INFINITY : now())
    const percent = event.totalBytes ? Math.floor((event.copiedBytes / event.totalBytes) * 100) : 100
    logger.info(
      `${event.destination}: ${event.collection}: copying ${formatBytes(event.copiedBytes)} of ${formatBytes(event.totalBytes)} (${percent}%)`
    )
  }
}
