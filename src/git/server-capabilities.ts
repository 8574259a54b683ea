import type { RemoteRepository } from './remote.js'

/**
 * What each git server of a run can do, learnt once per host. Today one
 * thing matters: whether it serves partial clone (`--filter`). A server
 * without it ignores the filter and sends whole trees, so asking it for
 * "the commit only" would move every file; the stores then fetch each
 * commit whole, once, instead (see ObjectStore.fetchCommits).
 *
 * Learnt for free from the capability list that precedes a ref listing the
 * run makes anyway (see ObjectStore.remoteHead), never from a transfer.
 */
export class ServerCapabilities {
  private readonly filters = new Map<string, boolean>()

  /** undefined until a listing from this remote's host was seen. */
  acceptsFilters(remote: RemoteRepository): boolean | undefined {
    return this.filters.get(hostOf(remote))
  }

  /**
   * Records what a packet trace of a ref listing says. A trace without a
   * capability list counts as "no filters": whole fetches are always safe.
   */
  learnFrom(remote: RemoteRepository, packetTrace: string): void {
    this.learn(remote, filterCapability(packetTrace) ?? false)
  }

  /** Records what an advertisement read without git says. */
  learn(remote: RemoteRepository, acceptsFilters: boolean): void {
    this.filters.set(hostOf(remote), acceptsFilters)
  }
}

/**
 * Reads git's packet trace (GIT_TRACE_PACKET) of a ref advertisement.
 * Protocol v2 lists the fetch features on one line (`fetch=shallow filter`);
 * v0 appends capabilities to the first ref after a NUL (traced as `\0`).
 */
export function filterCapability(packetTrace: string): boolean | undefined {
  for (const line of packetTrace.split('\n')) {
    const received = /\bgit< (.*)$/.exec(line)?.[1]
    if (received === undefined) continue
    const v2 = /^fetch(?:=(.*))?$/.exec(received)
    if (v2) return (v2[1] ?? '').split(' ').includes('filter')
    const v0 = received.indexOf('\\0')
    if (v0 >= 0)
      return received
        .slice(v0 + 2)
        .split(' ')
        .includes('filter')
  }
  return undefined
}

/** Capabilities belong to a server, not a repository: every algorithm on a host shares them. */
function hostOf(remote: RemoteRepository): string {
  return new URL(remote.url).origin
}
