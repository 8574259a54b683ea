/**
 * The two stages of issue 22 with fakes: find algorithm calls (read only
 * where the code changes, or always with promote) and check dependencies
 * (asked once per destination and address, warn or require), and the report
 * parts drawn from their results.
 */
import { describe, expect, it } from 'vitest'
import { ClusterApiError } from '../../src/cluster/errors.js'
import type { ClusterSession } from '../../src/cluster/session.js'
import type { Algorithm, Version } from '../../src/cluster/types.js'
import type { DependencyMode, PromotionConfig } from '../../src/core/config.js'
import { findAlgorithmReferences } from '../../src/dependencies/references.js'
import { Pipeline } from '../../src/pipeline/pipeline.js'
import type { RunContext, TargetContext } from '../../src/pipeline/stage.js'
import type { AlgorithmObjects } from '../../src/promotion/algorithm-objects.js'
import { DependencyAnswers, type AlgorithmCalls } from '../../src/promotion/dependency-check.js'
import type { PromotionResult } from '../../src/promotion/result.js'
import pc from 'picocolors'
import { resultsSummary } from '../../src/cli/output.js'
import { renderPlanComment } from '../../src/github-api/plan-comment.js'
import { parseConfig } from '../../src/inputs/parse.js'
import { VALID_PROMOTION_INPUTS } from '../helpers/inputs.js'
import { addedAlgorithmLines, dependencyGraph, unmetReferenceLines } from '../../src/report/dependencies.js'
import type { RunReport } from '../../src/report/run-report.js'
import { checkDependenciesStage } from '../../src/stages/check-dependencies.js'
import { findAlgorithmCallsStage } from '../../src/stages/find-algorithm-calls.js'
import { prepareDestinationStage } from '../../src/stages/prepare-destination.js'
import { resolveSourceStage } from '../../src/stages/resolve-source.js'
import { syncCodeStage } from '../../src/stages/sync-code.js'

const CODE = [
  'import Algorithmia',
  'client = Algorithmia.client()',
  'def apply(input):',
  '    b = client.algo("data_science/C/0.2.0").pipe(input).result',
  '    return client.algo("data_science/" + input).pipe(b).result',
  ''
].join('\n')

interface Fakes {
  readonly warnings: string[]
  readonly requests: string[]
}

function runContext(dependencies: DependencyMode, fakes: Fakes, extra: Partial<PromotionConfig> = {}): RunContext {
  const logger = { info: () => {}, warning: (line: string) => fakes.warnings.push(line), debug: () => {} }
  return {
    config: { dependencies, publish: true, dryRun: false, ...extra } as PromotionConfig,
    source: { account: { algoOwner: 'data_science' } },
    logger,
    ahead: {
      dependencies: new DependencyAnswers(),
      destinations: { refsOf: async () => null }
    }
  } as unknown as RunContext
}

function targetContext(run: RunContext): TargetContext {
  return { run, step: () => {}, progress: () => {}, sawHead: () => {}, wrote: () => {} }
}

/** A destination whose API answers what it holds of data_science/C, counting each request. */
function session(
  label: string,
  owner: string,
  held: { algorithm?: Algorithm; versions?: Version[]; refuse?: boolean },
  requests: string[]
): ClusterSession {
  const api = {
    getAlgorithm: async (algoOwner: string, name: string) => {
      requests.push(`${label} GET ${algoOwner}/${name}`)
      if (held.refuse) throw new ClusterApiError(label, 'GET', `/v1/algorithms/${algoOwner}/${name}`, 403, undefined, 'not yours')
      return held.algorithm
    },
    listVersions: async (algoOwner: string, name: string) => {
      requests.push(`${label} GET ${algoOwner}/${name}/versions`)
      return held.versions ?? []
    }
  }
  return { account: { algoOwner: owner, cluster: { label, apiUrl: `https://api.${label}` } }, api } as unknown as ClusterSession
}

const C_AT_0_1_0 = {
  algorithm: { name: 'C' },
  versions: [{ version_info: { semantic_version: '0.1.0', git_hash: 'a'.repeat(40) } }]
}

function callsOf(code: string): AlgorithmCalls {
  const found = findAlgorithmReferences([['src/A.py', code]])
  return {
    references: found.filter(reference => !('kind' in reference)) as AlgorithmCalls['references'],
    dynamic: found.filter(reference => 'kind' in reference) as AlgorithmCalls['dynamic']
  }
}

function checkTarget(algorithm: string, destination: ClusterSession, calls: AlgorithmCalls | undefined, pushed = true) {
  return {
    algorithm,
    session: destination,
    label: `${algorithm} → ${destination.account.cluster.label}`,
    algorithmCalls: calls && Promise.resolve({ status: 'fulfilled' as const, value: calls }),
    sync: pushed ? { kind: 'pushed' as const, destCommit: 'b'.repeat(40) } : { kind: 'unchanged' as const, destCommit: 'b'.repeat(40) },
    headVersion: '',
    headUnpublished: false
  } as unknown as Parameters<typeof checkDependenciesStage.run>[0]
}

describe('find algorithm calls', () => {
  function findTarget(destinationState: 'exists' | 'created' | undefined, read: string[], recorded: boolean) {
    const objects = {
      sourceCommit: 'c'.repeat(40),
      algorithmCalls: async () => {
        read.push('read')
        return findAlgorithmReferences([['src/A.py', CODE]])
      },
      probe: async () => ({ remoteHead: async () => (recorded ? { commit: 'd', recorded: 'd' } : { commit: 'd' }) })
    } as unknown as AlgorithmObjects
    return { algorithm: 'A', label: 'A → prod', objects, destinationState } as unknown as Parameters<typeof findAlgorithmCallsStage.run>[0]
  }

  it('reads nothing with dependencies: off', () => {
    expect(findAlgorithmCallsStage.skip?.(findTarget('created', [], false), { dependencies: 'off' } as PromotionConfig)).toEqual({
      algorithmCalls: undefined
    })
    expect(findAlgorithmCallsStage.skip?.(findTarget('created', [], false), { dependencies: 'warn' } as PromotionConfig)).toBeUndefined()
  })

  it('splits what it reads into references and calls built at run time', async () => {
    const read: string[] = []
    const fakes = { warnings: [], requests: [] }
    const out = await findAlgorithmCallsStage.run(findTarget('created', read, false), targetContext(runContext('warn', fakes)))
    const calls = await out.algorithmCalls
    expect(calls?.status === 'fulfilled' && calls.value.references.map(reference => `${reference.owner}/${reference.name}`)).toEqual([
      'data_science/C'
    ])
    expect(calls?.status === 'fulfilled' && calls.value.dynamic).toHaveLength(1)
    expect(read).toEqual(['read'])
  })

  it('leaves the source unread where the code is unchanged, unless dependencies: promote orders the run by it', async () => {
    const read: string[] = []
    const fakes = { warnings: [], requests: [] }
    const unchanged = findTarget('exists', read, true)
    expect(await findAlgorithmCallsStage.run(unchanged, targetContext(runContext('warn', fakes)))).toEqual({ algorithmCalls: undefined })
    expect(read).toEqual([])
    expect((await findAlgorithmCallsStage.run(unchanged, targetContext(runContext('promote', fakes)))).algorithmCalls).toBeDefined()
    expect(read).toEqual(['read'])
  })
})

describe('check dependencies', () => {
  it('asks each destination once per address, however many algorithms call it, and nothing for code without calls', async () => {
    const fakes: Fakes = { warnings: [], requests: [] }
    const run = runContext('warn', fakes)
    const prod = session('prod', 'data_science', C_AT_0_1_0, fakes.requests)
    const calls = callsOf(CODE)
    for (const algorithm of ['A', 'B']) await checkDependenciesStage.run(checkTarget(algorithm, prod, calls), targetContext(run))
    await checkDependenciesStage.run(checkTarget('D', prod, callsOf('def apply(input):\n    return input\n')), targetContext(run))
    expect(fakes.requests).toEqual(['prod GET data_science/C', 'prod GET data_science/C/versions'])
  })

  it('warn: a warning per unmet call, naming what the destination holds; the output keeps references and dynamic calls', async () => {
    const fakes: Fakes = { warnings: [], requests: [] }
    const prod = session('prod', 'data_science', C_AT_0_1_0, fakes.requests)
    const out = await checkDependenciesStage.run(checkTarget('A', prod, callsOf(CODE)), targetContext(runContext('warn', fakes)))
    expect(fakes.warnings).toEqual([
      'A → prod: calls data_science/C 0.2.0 (src/A.py:4), which prod does not answer: C 0.2.0 is not published at prod; it holds 0.1.0'
    ])
    expect(out.dependencies?.references).toMatchObject([{ address: 'data_science/C/0.2.0', status: 'unmet', namesSourceOwner: false }])
    expect(out.dependencies?.dynamic).toHaveLength(1)
  })

  it('require: an unmet call fails a target that would be published, naming the reference; one that would not is warned about', async () => {
    const fakes: Fakes = { warnings: [], requests: [] }
    const prod = session('prod', 'data_science', C_AT_0_1_0, fakes.requests)
    const context = targetContext(runContext('require', fakes))
    await expect(checkDependenciesStage.run(checkTarget('A', prod, callsOf(CODE)), context)).rejects.toThrow(
      /calls data_science\/C 0\.2\.0 .*C 0\.2\.0 is not published at prod; it holds 0\.1\.0\. Nothing was built or published/
    )
    await checkDependenciesStage.run(checkTarget('A', prod, callsOf(CODE), false), context)
    expect(fakes.warnings).toHaveLength(1)
  })

  it('warns about a call naming the source owner under another destination owner, and reports a key that may not read it', async () => {
    const fakes: Fakes = { warnings: [], requests: [] }
    const prod = session('prod', 'ml_prod', { refuse: true }, fakes.requests)
    const out = await checkDependenciesStage.run(checkTarget('A', prod, callsOf(CODE)), targetContext(runContext('warn', fakes)))
    expect(fakes.warnings[0]).toMatch(/which names the source owner data_science while the code goes to ml_prod at prod/)
    expect(out.dependencies?.references).toMatchObject([
      { status: 'unmet', namesSourceOwner: true, reason: expect.stringContaining("the destination's key may not read data_science/C (403") }
    ])
  })

  it('skips with dependencies: off and where the calls were not read', () => {
    const prod = session('prod', 'data_science', C_AT_0_1_0, [])
    expect(checkDependenciesStage.skip?.(checkTarget('A', prod, callsOf(CODE)), { dependencies: 'off' } as PromotionConfig)).toEqual({
      dependencies: undefined
    })
    expect(checkDependenciesStage.skip?.(checkTarget('A', prod, undefined), { dependencies: 'warn' } as PromotionConfig)).toEqual({
      dependencies: undefined
    })
  })

  it('does not compile before the stage that reads the calls (checked by npm run typecheck)', () => {
    const reordered = () =>
      Pipeline.start()
        .then(resolveSourceStage)
        .then(prepareDestinationStage)
        .then(syncCodeStage)
        // @ts-expect-error check dependencies needs the calls read by find algorithm calls
        .then(checkDependenciesStage)
        .then(findAlgorithmCallsStage)
    expect(typeof reordered).toBe('function')
  })
})

describe('the dependency report', () => {
  const result = (algorithm: string, fields: Partial<PromotionResult>): PromotionResult =>
    ({ algorithm, destination: 'prod', status: 'created', ...fields }) as PromotionResult

  it('draws no graph when no promoted code calls an algorithm', () => {
    expect(dependencyGraph([result('A', {}), result('B', { references: [] })], 'data_science')).toBeUndefined()
  })

  it('draws satisfied calls solid and unmet ones dashed, and lists unmet calls and added algorithms', () => {
    const results = [
      result('C', { addedBecause: 'called by B as C 0.2.0' }),
      result('B', { references: [{ address: 'data_science/C/0.2.0', status: 'satisfied' }] }),
      result('A', {
        references: [{ address: 'data_science/X', status: 'unmet', reason: 'data_science/X does not exist at the destination' }]
      })
    ]
    const graph = dependencyGraph(results, 'data_science') ?? ''
    expect(graph).toContain('n0 -->|"0.2.0"| n2')
    expect(graph).toMatch(/n1 -\.->\|"latest unmet: prod: data_science\/X does not exist at the destination"\| n3/)
    expect(unmetReferenceLines(results)).toEqual(['A → prod: calls data_science/X: data_science/X does not exist at the destination'])
    expect(addedAlgorithmLines(results)).toEqual(['C: called by B as C 0.2.0'])
  })

  it("the command line's summary lists added algorithms and unmet calls", () => {
    const results = [
      result('C', { addedBecause: 'called by B as C 0.2.0' }),
      result('A', {
        references: [{ address: 'data_science/X', status: 'unmet', reason: 'data_science/X does not exist at the destination' }]
      })
    ]
    const text = resultsSummary({ dryRun: false } as PromotionConfig, { results } as unknown as RunReport, pc.createColors(false))
    expect(text).toContain('Added because they are called:\n  C: called by B as C 0.2.0')
    expect(text).toContain('Unmet calls:\n  A → prod: calls data_science/X: data_science/X does not exist at the destination')
  })

  it('the plan comment lists the algorithms promote would add and the calls a destination would not answer', () => {
    const inputs: Record<string, string> = { ...VALID_PROMOTION_INPUTS, algorithms: 'A', 'dry-run': 'true', dependencies: 'promote' }
    const config = parseConfig(name => inputs[name] ?? '', {})
    const results = [
      result('C', { status: 'planned', addedBecause: 'called by A as C 0.2.0' }),
      result('A', {
        status: 'planned',
        references: [{ address: 'data_science/C/0.2.0', status: 'unmet', reason: 'C 0.2.0 is not published' }]
      })
    ]
    const comment = renderPlanComment(config, results)
    expect(comment).toContain('**Added because they are called** (`dependencies: promote`):\n\n- C: called by A as C 0.2.0')
    expect(comment).toContain(
      '**Calls a destination does not answer:**\n\n- A → prod: calls data\\_science/C/0.2.0: C 0.2.0 is not published'
    )
  })
})
