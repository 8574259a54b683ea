// A published version history, one bump at a time: what a source cluster with
// many versions looks like, for tests (`cluster.publishHistory`) and seed files
// (an algorithm's "versions"). Each entry goes through the same commit, build
// and publish path as the API, so the versions carry what a real publish records.
import type { EmulatedCluster, Version, VersionType } from './types.js'

/** One published version: its own tree (a commit on top of the previous one) and the bump that numbers it. */
export interface HistoryVersion {
  /** The whole tree of this version's commit. */
  readonly files: Readonly<Record<string, string | Buffer>>
  readonly publish: VersionType
  /** The version's callability; default `public`, so one private version does not make the later ones private. */
  readonly visibility?: 'public' | 'private'
  /** Text, as the spec has it. */
  readonly sample_input?: string
  readonly release_notes?: string
}

type Steps = Pick<EmulatedCluster, 'commit' | 'waitForBuild' | 'publish'>

/** Commits, builds and publishes each entry in order; resolves with the published versions, oldest first. */
export async function publishHistory(cluster: Steps, owner: string, name: string, versions: readonly HistoryVersion[]): Promise<Version[]> {
  const published: Version[] = []
  for (const [index, version] of versions.entries()) {
    const message = `History version ${index + 1} of ${versions.length} (${version.publish})`
    const commit = await cluster.commit(owner, name, { ...version.files }, { message })
    const build = await cluster.waitForBuild(owner, name, commit)
    if (build.status !== 'succeeded') throw new Error(`${owner}/${name}: the build of history version ${index + 1} ${build.status}`)
    published.push(
      await cluster.publish(owner, name, version.publish, version.release_notes, {
        algorithm_callability: version.visibility ?? 'public',
        ...(version.sample_input !== undefined ? { sample_input: version.sample_input } : {})
      })
    )
  }
  return published
}
