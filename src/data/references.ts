/**
 * `data://` addresses in promoted code (and in `model_manifest.json`, whose
 * entries name their files the same way), sorted into what a promotion copies
 * and what it only reports.
 */
const REFERENCE = /data:\/\/(\.?[A-Za-z][A-Za-z0-9_]*)\/([A-Za-z][A-Za-z0-9_]*)/g

/** The same shape as an extended regular expression, for `git grep` over a source tree. */
export const REFERENCE_PATTERN = 'data://[.]?[A-Za-z][A-Za-z0-9_]*/[A-Za-z][A-Za-z0-9_]*'

export interface DataReferences {
  /** Collections of the source owner, named by that owner: what `collections: auto` promotes (and warns about). */
  readonly ofSourceOwner: readonly string[]
  /**
   * `data://.my/<collection>`: the running algorithm's owner's, so the source owner's at the source and the
   * destination owner's at the destination. `collections: auto` promotes them too.
   */
  readonly ofOwnOwner: readonly string[]
  /** Other relative owners (`.algo`, `.session`): resolved at run time, never copied. */
  readonly relative: readonly string[]
  /** Collections of other owners, as `data://owner/collection`: never copied. */
  readonly ofOtherOwners: readonly string[]
}

/** Every `owner/collection` pair a text mentions as `data://owner/collection/...`. */
export function referencesIn(text: string): { owner: string; collection: string }[] {
  return [...text.matchAll(REFERENCE)].map(match => ({ owner: match[1], collection: match[2] }))
}

export function classifyReferences(found: readonly { owner: string; collection: string }[], sourceOwner: string): DataReferences {
  const ofSourceOwner = new Set<string>()
  const ofOwnOwner = new Set<string>()
  const relative = new Set<string>()
  const ofOtherOwners = new Set<string>()
  for (const { owner, collection } of found) {
    if (owner === sourceOwner) ofSourceOwner.add(collection)
    else if (owner === '.my') ofOwnOwner.add(collection)
    else if (owner.startsWith('.')) relative.add(`data://${owner}/${collection}`)
    else ofOtherOwners.add(`data://${owner}/${collection}`)
  }
  const sorted = (set: Set<string>): string[] => [...set].sort()
  return {
    ofSourceOwner: sorted(ofSourceOwner),
    ofOwnOwner: sorted(ofOwnOwner),
    relative: sorted(relative),
    ofOtherOwners: sorted(ofOtherOwners)
  }
}
