import type { CollectionListing, DataFile } from './data-api.js'
import { RECORD_FILE, type PromotionRecord } from './record.js'

/** Why a file is copied. */
export type CopyReason = 'new' | 'changed' | 'replaced at destination' | 'not recorded'

export interface PlannedCopy {
  readonly file: DataFile
  readonly reason: CopyReason
}

/** What promoting one collection to one destination does, decided from listings and the record alone. */
export interface CollectionPlan {
  /** The destination collection is missing and is created with `read`. */
  readonly create: boolean
  readonly read: readonly string[]
  /** Sub-folders the destination lacks, by path, each after the folder it is in. */
  readonly createFolders: readonly string[]
  readonly copy: readonly PlannedCopy[]
  readonly skip: readonly DataFile[]
  /** Files only the destination has (the record aside). */
  readonly onlyAtDestination: readonly string[]
  /** Of those, the ones deleted (with `collections-prune`). */
  readonly prune: readonly string[]
  /** Files whose names cannot be addressed safely in a URL: neither copied nor pruned, each reported. */
  readonly refused: readonly { readonly file: string; readonly reason: string }[]
}

/** The ACL a collection gets when its listing does not show one: the API's default, the owner's algorithms. */
export const DEFAULT_READ_ACL: readonly string[] = ['algo://.my/*']

export function planCollection(
  source: CollectionListing,
  destination: CollectionListing | undefined,
  record: PromotionRecord,
  prune: boolean
): CollectionPlan {
  const atDestination = new Map((destination?.files ?? []).map(file => [file.filename, file]))
  const copy: PlannedCopy[] = []
  const skip: DataFile[] = []
  const sourceNames = new Set<string>()
  const refused: { file: string; reason: string }[] = []
  for (const file of source.files) {
    if (file.filename === RECORD_FILE) continue // a source that is itself a promotion's destination
    sourceNames.add(file.filename)
    const unsafe = unsafeFileName(file.filename)
    if (unsafe) {
      refused.push({ file: file.filename, reason: `not copied: ${unsafe}` })
      continue
    }
    const reason = copyReason(file, atDestination.get(file.filename), record)
    if (reason) copy.push({ file, reason })
    else skip.push(file)
  }
  const onlyAtDestination = [...atDestination.keys()].filter(name => name !== RECORD_FILE && !sourceNames.has(name)).sort()
  const prunable = onlyAtDestination.filter(name => !unsafeFileName(name))
  if (prune) {
    for (const name of onlyAtDestination.filter(unsafeFileName)) refused.push({ file: name, reason: `not pruned: ${unsafeFileName(name)}` })
  }
  const atDestinationFolders = new Set(destination?.folders ?? [])
  return {
    create: destination === undefined,
    read: source.read ?? DEFAULT_READ_ACL,
    createFolders: (source.folders ?? []).filter(folder => !atDestinationFolders.has(folder) && !unsafeFileName(folder)),
    copy,
    skip,
    onlyAtDestination,
    prune: prune ? prunable : [],
    refused
  }
}

/**
 * Why a listed path (a file's, or a sub-folder's, below the collection) cannot be used as its own
 * address, or undefined when it can. A `.` or `..` segment collapses in a URL (a request meant for a
 * file would act on a folder, the collection or the owner), an empty one names another path, and a
 * segment that does not survive URL encoding is not the name sent.
 */
export function unsafeFileName(path: string): string | undefined {
  for (const segment of path.split('/')) {
    if (segment === '.' || segment === '..') return `the name '${segment}' would address a folder, the collection or its owner, not a file`
    if (segment === '') return 'the path has an empty segment, which would address another path'
    if (!survivesEncoding(segment)) return 'the name does not survive URL encoding, so another name would be written'
  }
  return undefined
}

function survivesEncoding(segment: string): boolean {
  try {
    return decodeURIComponent(encodeURIComponent(segment)) === segment
  } catch {
    return false // a lone surrogate cannot be encoded at all
  }
}

function copyReason(file: DataFile, copied: DataFile | undefined, record: PromotionRecord): CopyReason | undefined {
  if (!copied) return 'new'
  const recorded = record.files[file.filename]
  if (!recorded) return 'not recorded'
  if (recorded.size !== file.size || recorded.sourceLastModified !== file.last_modified) return 'changed'
  if (copied.size !== recorded.size || copied.last_modified !== recorded.destLastModified) return 'replaced at destination'
  return undefined
}

export function bytesToCopy(plan: CollectionPlan): number {
  return plan.copy.reduce((sum, entry) => sum + entry.file.size, 0)
}
