/**
 * The history replay stage on its own, with fakes for the clusters: what it
 * leaves to the stages after it, what a dry run lists, and what it refuses
 * before any write.
 */
import { describe, expect, it } from 'vitest'
import type { Version } from '../../src/cluster/types.js'
import type { PromotionConfig } from '../../src/core/config.js'
import type { TargetContext } from '../../src/pipeline/stage.js'
import { replayVersionsStage } from '../../src/stages/replay-versions.js'
import { silentLogger } from '../../src/util/log.js'

const commit = (n: number) => String(n).repeat(40).slice(0, 40)
const listed = (version: string, n: number, notes?: string): Version =>
  ({ version_info: { semantic_version: version, git_hash: commit(n), release_notes: notes }, settings: {} }) as unknown as Version
const SOURCE = [listed('0.1.0', 1), listed('0.1.1', 2), listed('0.2.0', 3)]

function target(destination: Version[], newestCommit = commit(3)) {
  const account = { cluster: { label: 'prod' }, algoOwner: 'ml_prod' }
  return {
    algorithm: 'hello',
    label: 'hello → prod',
    destinationState: 'exists',
    source: { commit: newestCommit, version: '0.2.0', published: SOURCE, metadata: {} },
    session: { account, api: { listVersions: async () => destination } },
    objects: {
      fetchComplete: async () => {
        throw new Error('a dry run fetches nothing')
      }
    }
  } as unknown as Parameters<typeof replayVersionsStage.run>[0]
}

function context(config: Partial<PromotionConfig>): TargetContext {
  return {
    run: { config: { sourceVersions: { kind: 'all' }, versionType: 'minor', dryRun: true, ...config }, logger: silentLogger },
    step: () => {},
    wrote: () => {}
  } as unknown as TargetContext
}

describe('replay source versions', () => {
  it('is skipped without source-versions', () => {
    expect(replayVersionsStage.skip?.(target([]), { sourceVersions: undefined } as PromotionConfig)).toEqual({ history: undefined })
  })

  it('leaves the newest version to the stages after it, and lists the older ones a dry run would publish', async () => {
    const { history } = await replayVersionsStage.run(target([]), context({}))
    expect(history?.newest).toMatchObject({ sourceVersion: '0.2.0', bump: 'minor', destinationVersion: '0.2.0' })
    expect(history?.versions.map(v => [v.sourceVersion, v.destVersion, v.status])).toEqual([
      ['0.1.0', '0.1.0', 'planned'],
      ['0.1.1', '0.1.1', 'planned']
    ])
  })

  it('counts versions whose notes name their source version as present', async () => {
    const notes = (version: string, n: number) => `Promoted from dev data_science/hello version ${version} (commit ${commit(n)}).`
    const { history } = await replayVersionsStage.run(target([listed('0.1.0', 7, notes('0.1.0', 1))]), context({}))
    expect(history?.versions.map(v => [v.sourceVersion, v.status])).toEqual([
      ['0.1.0', 'present'],
      ['0.1.1', 'planned']
    ])
  })

  it("refuses, before any write, a history whose numbers version-type 'match' cannot reproduce", async () => {
    const foreign = [listed('0.5.0', 9)]
    await expect(replayVersionsStage.run(target(foreign), context({ versionType: 'match', dryRun: false }))).rejects.toThrow(
      /version-type is 'match', but no single publish on prod reaches the source's version 0\.1\.0 from its latest version 0\.5\.0/
    )
  })
})
