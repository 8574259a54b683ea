/** What a repository's ref listing says about the branch a cluster builds, its HEAD, and a promotion record. */

/**
 * The branch Algorithmia clusters build: a push to it starts a build of its
 * head, while other branches are accepted but never built. A promotion reads
 * and writes this branch whatever the repository's HEAD names, so the code it
 * promotes is the code the cluster runs.
 */
export const BUILT_BRANCH = 'refs/heads/master'

/** Where a repository's HEAD points when that is not BUILT_BRANCH: another branch, or a commit (detached). */
export type HeadElsewhere = { readonly branch: string } | { readonly detachedAt: string }

/** What one ref listing tells about a repository's BUILT_BRANCH and its HEAD. */
export interface RemoteHead {
  /** BUILT_BRANCH's head; undefined when it has no commits (an empty repository, or code on other branches only). */
  readonly commit?: string
  /** Set when HEAD points somewhere other than BUILT_BRANCH, for a warning; a promotion goes to BUILT_BRANCH anyway. */
  readonly headElsewhere?: HeadElsewhere
  /** Branches that have commits, for the message about a missing BUILT_BRANCH. */
  readonly branches: readonly string[]
  /** Where the record ref asked for points, when it exists (see remoteHead). */
  readonly recorded?: string
}

/** Reads `git ls-remote --symref` output; see RemoteHead. */
export function parseHeadListing(listing: string, recordRef?: string): RemoteHead {
  let symref: string | undefined
  const refs = new Map<string, string>()
  for (const line of listing.split('\n')) {
    const target = /^ref: (\S+)\s+HEAD$/.exec(line)
    if (target) symref = target[1]
    const ref = /^([0-9a-f]{40}|[0-9a-f]{64})\s+(\S+)$/.exec(line)
    if (ref) refs.set(ref[2], ref[1])
  }
  return headFromRefs(refs, symref, recordRef)
}

/** BUILT_BRANCH's head, where HEAD points, the branches and the record ref, from a repository's refs. */
export function headFromRefs(refs: ReadonlyMap<string, string>, symref: string | undefined, recordRef?: string): RemoteHead {
  const branches = [...refs.keys()].filter(name => name.startsWith('refs/heads/'))
  return {
    commit: refs.get(BUILT_BRANCH),
    headElsewhere: findHeadElsewhere(refs, symref, branches),
    branches,
    recorded: recordRef ? refs.get(recordRef) : undefined
  }
}

/**
 * A server that does not say where HEAD points (the `symref` capability is
 * optional) gets git clone's own guess: the branch whose head is HEAD's
 * commit, BUILT_BRANCH first. Only a HEAD at a commit no branch has is detached.
 */
function findHeadElsewhere(
  refs: ReadonlyMap<string, string>,
  symref: string | undefined,
  branches: readonly string[]
): HeadElsewhere | undefined {
  const commit = refs.get('HEAD')
  const named = symref?.startsWith('refs/heads/') ? symref : undefined
  const branch = named ?? (commit ? [BUILT_BRANCH, ...branches].find(candidate => refs.get(candidate) === commit) : undefined)
  if (branch) return branch === BUILT_BRANCH ? undefined : { branch }
  return commit ? { detachedAt: commit } : undefined
}
