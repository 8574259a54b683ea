// Marker-based paging for list endpoints. The marker records the sequence
// number of the last item returned, so items created while a client pages
// (which appear at the front of newest-first lists) never shift later pages.
import { ErrorCode, apiError } from './errors.js'

export const DEFAULT_LIMIT = 50

export interface PageRequest {
  limit: number
  /** Only items with a smaller sequence number (older) belong to this page. */
  before?: number
}

/** `marker` and `next_link` are strings in the spec (not nullable): the last page leaves them out. */
export interface PageBody<T> {
  marker?: string
  next_link?: string
  results: T[]
}

function encodeMarker(seq: number): string {
  return Buffer.from(JSON.stringify({ before: seq })).toString('base64url')
}

function decodeMarker(marker: string): number {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(marker, 'base64url').toString('utf8'))
    const before = (parsed as { before?: unknown }).before
    if (typeof before === 'number' && Number.isInteger(before)) return before
  } catch {
    // fall through to the error below
  }
  throw apiError(400, ErrorCode.invalidMarker, `Invalid marker ${JSON.stringify(marker)}`)
}

export function parsePageRequest(query: URLSearchParams): PageRequest {
  const rawLimit = query.get('limit')
  const limit = rawLimit === null || rawLimit === '' ? DEFAULT_LIMIT : Number(rawLimit)
  // The spec states a minimum of 1 and no maximum.
  if (!Number.isInteger(limit) || limit < 1) {
    throw apiError(400, ErrorCode.invalidLimit, `Invalid limit ${JSON.stringify(rawLimit)}; use a whole number from 1`)
  }
  const marker = query.get('marker')
  return { limit, before: marker ? decodeMarker(marker) : undefined }
}

/**
 * Cuts one page from `items` (newest first, decreasing `seqOf`). `requestUrl`
 * is the URL the client called; next_link repeats it with the new marker.
 */
export function paginate<T, R>(
  items: T[],
  seqOf: (item: T) => number,
  page: PageRequest,
  requestUrl: URL,
  render: (item: T) => R
): PageBody<R> {
  const remaining = page.before === undefined ? items : items.filter(item => seqOf(item) < page.before!)
  const slice = remaining.slice(0, page.limit)
  const hasMore = remaining.length > slice.length
  const results = slice.map(render)
  if (!hasMore) return { results }
  const marker = encodeMarker(seqOf(slice[slice.length - 1]))
  return { marker, next_link: nextLink(requestUrl, marker), results }
}

function nextLink(requestUrl: URL, marker: string): string {
  const next = new URL(requestUrl.href)
  next.searchParams.set('marker', marker)
  return next.href
}
