/**
 * The pipeline engine on its own, with stages made for the test: scopes,
 * skips, cleanup after an algorithm, failures shared by an algorithm's
 * targets, and the work-ahead answers a write makes stale.
 */
import { describe, expect, it } from 'vitest'
import type { ClusterAccount, PromotionConfig } from '../../src/core/config.js'
import type { ClusterSession } from '../../src/cluster/session.js'
import { Pipeline } from '../../src/pipeline/pipeline.js'
import type { RunContext, Stage, Target } from '../../src/pipeline/stage.js'
import { PROMOTION_PIPELINE } from '../../src/run/promotion.js'
import type { DestinationWrite } from '../../src/promotion/work-ahead.js'
import { findDataReferencesStage } from '../../src/stages/find-data-references.js'
import { prepareDestinationStage } from '../../src/stages/prepare-destination.js'
import { promoteDataStage } from '../../src/stages/promote-data.js'
import { planPublishStage } from '../../src/stages/plan-publish.js'
import { replayVersionsStage } from '../../src/stages/replay-versions.js'
import { resolveSourceStage } from '../../src/stages/resolve-source.js'
import { syncCodeStage } from '../../src/stages/sync-code.js'
import { syncMetadataStage } from '../../src/stages/sync-metadata.js'
import { silentLogger } from '../../src/util/log.js'

function target(algorithm: string, destination: string): Target {
  const account = { cluster: { label: destination }, algoOwner: 'ml_prod' } as unknown as ClusterAccount
  return {
    algorithm,
    session: { account } as ClusterSession,
    sourceRemote: { url: `https://git.dev/git/data_science/${algorithm}.git`, label: 'dev' } as Target['sourceRemote'],
    remote: { url: `https://git.${destination}/git/ml_prod/${algorithm}.git`, label: destination } as Target['remote'],
    label: `${algorithm} → ${destination}`
  }
}

function context(writes: Array<[string, DestinationWrite]> = []): RunContext {
  return {
    config: { concurrency: 2 } as PromotionConfig,
    logger: silentLogger,
    ahead: { wrote: (destination: Target, what: DestinationWrite) => writes.push([destination.label, what]) }
  } as unknown as RunContext
}

const TARGETS = [target('a', 'prod'), target('a', 'eu'), target('b', 'prod')]

describe('Pipeline.run', () => {
  it('runs an algorithm-scoped stage once per algorithm and gives its output to every destination', async () => {
    const calls: string[] = []
    const shared: Stage<Target, { shared: string }> = {
      title: 'shared',
      step: 'resolve source',
      scope: 'algorithm',
      side: 'source',
      run: async entry => {
        calls.push(entry.label)
        return { shared: `of ${entry.algorithm}` }
      }
    }
    const settled = await Pipeline.start().then(shared).run(TARGETS, context())
    expect(calls).toEqual(['a → prod', 'b → prod'])
    expect(settled.map(result => result.ok && result.target.shared)).toEqual(['of a', 'of a', 'of b'])
  })

  it('a failure in an algorithm-scoped stage fails every target of that algorithm, and later stages skip them', async () => {
    const later: string[] = []
    const failing: Stage<Target, object> = {
      title: 'failing',
      step: 'resolve source',
      scope: 'algorithm',
      side: 'source',
      run: async entry => {
        if (entry.algorithm === 'a') throw new Error('no such algorithm')
        return {}
      }
    }
    const next: Stage<Target, object> = {
      title: 'next',
      step: 'sync code',
      scope: 'target',
      side: 'destination',
      run: async entry => {
        later.push(entry.label)
        return {}
      }
    }
    const account = { cluster: { label: 'dev' }, inputName: (name: string) => `source-${name}` } as unknown as ClusterAccount
    const run = { ...context(), source: { account } } as RunContext
    const settled = await Pipeline.start().then(failing).then(next).run(TARGETS, run)
    expect(settled.map(result => result.ok)).toEqual([false, false, true])
    expect(settled[0].ok ? '' : settled[0].failure.message).toMatch(
      /resolve source for 'a' on the source cluster dev failed: no such algorithm/
    )
    expect(later).toEqual(['b → prod'])
  })

  it("skip gives a stage's output without running it; afterAlgorithm runs once per algorithm, after its last target", async () => {
    const order: string[] = []
    const stage: Stage<Target, { done: boolean }> = {
      title: 'per target',
      step: 'sync code',
      scope: 'targets-of-algorithm',
      side: 'destination',
      skip: entry => (entry.session.account.cluster.label === 'eu' ? { done: false } : undefined),
      run: async entry => {
        order.push(`run ${entry.label}`)
        return { done: true }
      },
      afterAlgorithm: async entries => {
        order.push(`after ${entries.map(entry => entry.label).join(', ')}`)
      }
    }
    const settled = await Pipeline.start().then(stage).run(TARGETS, context())
    expect(settled.map(result => result.ok && result.target.done)).toEqual([true, false, true])
    expect(order.filter(line => line.includes(' a '))).toEqual(['run a → prod', 'after a → prod'])
    expect(order).toContain('after b → prod')
  })

  it('a stage that writes to a destination drops what was asked ahead about that destination only', async () => {
    const writes: Array<[string, DestinationWrite]> = []
    const writing: Stage<Target, object> = {
      title: 'writes',
      step: 'sync code',
      scope: 'target',
      side: 'destination',
      run: async (entry, targetContext) => {
        if (entry.algorithm === 'b') targetContext.wrote('code')
        return {}
      }
    }
    await Pipeline.start().then(writing).run(TARGETS, context(writes))
    expect(writes).toEqual([['b → prod', 'code']])
  })
})

describe('the promotion pipeline', () => {
  it('lists its stages in order', () => {
    expect(PROMOTION_PIPELINE.titles).toEqual([
      'Resolve source versions',
      'Prepare destination algorithms',
      'Sync metadata',
      'Find data references',
      'Find algorithm calls',
      'Replay source versions',
      'Sync code',
      'Promote data collections',
      'Check secrets',
      'Plan publishing',
      'Check dependencies',
      'Wait for builds',
      'Smoke test',
      'Publish'
    ])
  })

  it('does not compile with promote data before the stage that starts its work (checked by npm run typecheck)', () => {
    const reordered = () =>
      Pipeline.start()
        .then(resolveSourceStage)
        .then(prepareDestinationStage)
        .then(syncMetadataStage)
        .then(syncCodeStage)
        // @ts-expect-error promote data needs the data references found, and named copies started, ahead of it
        .then(promoteDataStage)
        .then(findDataReferencesStage)
    expect(typeof reordered).toBe('function')
  })

  it('does not compile with plan publishing before the history replay whose newest version it numbers (checked by npm run typecheck)', () => {
    const reordered = () =>
      Pipeline.start()
        .then(resolveSourceStage)
        .then(prepareDestinationStage)
        .then(syncMetadataStage)
        .then(findDataReferencesStage)
        .then(syncCodeStage)
        // @ts-expect-error plan publishing needs the replayed history (the newest version's bump)
        .then(planPublishStage)
        .then(replayVersionsStage)
    expect(typeof reordered).toBe('function')
  })
})
