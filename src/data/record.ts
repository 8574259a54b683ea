/**
 * The record of promoted files, kept in the destination collection itself.
 *
 * Hosted data has no content hash and no ETag, and a copy's last_modified is
 * the time it was written, so neither side's listing alone says whether a
 * destination file still holds what the source holds. The record does: for
 * each promoted file, the source's size and last_modified when it was copied,
 * the SHA-256 of the bytes sent, and the destination's last_modified right
 * after the copy. A file is unchanged when the source still shows the recorded
 * size and last_modified and the destination still shows the recorded size and
 * last_modified (nobody replaced the copy). The record is written only after
 * the bytes arrived and the destination's listing showed their size.
 */
export const RECORD_FILE = '.algorithmia-promote.json'

const FORMAT = 1

export interface RecordedFile {
  readonly size: number
  readonly sourceLastModified: string
  readonly sha256: string
  readonly destLastModified: string
}

export interface PromotionRecord {
  /** Which collection the files came from: a record of another source is not trusted. */
  readonly source: string
  readonly files: Readonly<Record<string, RecordedFile>>
}

/** Identifies a source collection across runs: the cluster and data:// address. */
export function sourceIdentity(cluster: string, owner: string, collection: string): string {
  return `${cluster}/data://${owner}/${collection}`
}

/** Reads a stored record; anything unreadable or from another source is an empty record (every file is copied again). */
export function parseRecord(bytes: Buffer | undefined, source: string): PromotionRecord {
  const empty: PromotionRecord = { source, files: Object.create(null) as Record<string, RecordedFile> }
  if (!bytes) return empty
  try {
    const parsed = JSON.parse(bytes.toString('utf8')) as { format?: unknown; source?: unknown; files?: unknown }
    if (parsed.format !== FORMAT || parsed.source !== source || !parsed.files || typeof parsed.files !== 'object') return empty
    // No prototype: a file may be named __proto__, and must be recorded like any other.
    const files: Record<string, RecordedFile> = Object.create(null) as Record<string, RecordedFile>
    for (const [name, entry] of Object.entries(parsed.files as Record<string, unknown>)) {
      if (isRecordedFile(entry)) files[name] = entry
    }
    return { source, files }
  } catch {
    return empty
  }
}

export function serializeRecord(record: PromotionRecord): Buffer {
  const files = Object.fromEntries(Object.entries(record.files).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
  const document = {
    format: FORMAT,
    about:
      'Written by algorithmia-promote after each copy: what every promoted file was at the source. Deleting it only makes the next promotion copy every file again.',
    source: record.source,
    files
  }
  return Buffer.from(JSON.stringify(document, null, 1) + '\n', 'utf8')
}

export function sameRecord(a: PromotionRecord, b: PromotionRecord): boolean {
  return serializeRecord(a).equals(serializeRecord(b))
}

function isRecordedFile(value: unknown): value is RecordedFile {
  const entry = value as Partial<RecordedFile> | null
  return (
    !!entry &&
    typeof entry.size === 'number' &&
    typeof entry.sourceLastModified === 'string' &&
    typeof entry.sha256 === 'string' &&
    typeof entry.destLastModified === 'string'
  )
}
