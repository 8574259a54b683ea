import { closure, orderInWaves, type Call, type CallEdge, type Reached } from '../dependencies/graph.js'
import { describeVersion, type AlgorithmReference } from '../dependencies/references.js'
import { acceptsVersion } from '../dependencies/satisfaction.js'
import { Pipeline } from '../pipeline/pipeline.js'
import type { RunContext, Target } from '../pipeline/stage.js'
import { findAlgorithmCallsStage } from '../stages/find-algorithm-calls.js'
import { resolveSourceStage } from '../stages/resolve-source.js'

/** Reads each algorithm's calls at the source, writing nothing anywhere. */
const DISCOVERY_PIPELINE = Pipeline.start().then(resolveSourceStage).then(findAlgorithmCallsStage)

/** The order a run takes its algorithms in, and those it took because others call them. */
export interface RunOrder {
  readonly waves: string[][]
  /** Algorithm → `called by A as B 1.*`, for each algorithm the run added. */
  readonly addedBecause: ReadonlyMap<string, string>
}

/** What discovery found of one algorithm at the source: its calls of the source owner's algorithms and its version. */
interface Discovered {
  readonly calls: readonly AlgorithmReference[]
  readonly version: string
}

/**
 * With `dependencies: promote`: the named algorithms, plus every algorithm of
 * the source owner they call (directly or not) that the source has, ordered so
 * that each is promoted in a wave before its callers. The calls are read by
 * resolve source and find algorithm calls, run level by level on the first
 * destination's targets without any destination question — each source is read
 * again by the promotion itself. A cycle is reported and promoted as one wave.
 * Other modes keep the run as named: one wave.
 */
export async function dependencyOrder(
  algorithms: readonly string[],
  context: RunContext,
  targetsOf: (algorithms: readonly string[]) => Target[]
): Promise<RunOrder> {
  if (context.config.dependencies !== 'promote' || algorithms.length === 0) return { waves: [[...algorithms]], addedBecause: new Map() }
  const started = Date.now()
  const found = new Map<string, Discovered | undefined>()
  const discover = levelBatches(async level => discoverLevel(level, found, context, targetsOf))
  const reached = await closure(algorithms, async algorithm => {
    await discover(algorithm)
    return callsOf(found.get(algorithm), context.config.source.algoOwner)
  })
  const named = new Set(algorithms)
  const taken = reached.filter(each => named.has(each.algorithm) || found.get(each.algorithm) !== undefined)
  reportMissing(reached, found, named, context)
  reportUnacceptedVersions(taken, found, context)
  const edges = callEdges(taken, found, context.config.source.algoOwner)
  const { waves, cycles } = orderInWaves(
    taken.map(each => each.algorithm),
    edges
  )
  for (const members of cycles) {
    context.logger.warning(
      `${members.join(', ')} call each other (a cycle): they are promoted together, in one wave, with no order between them; a call among them may fail until all are published.`
    )
  }
  const seconds = ((Date.now() - started) / 1000).toFixed(1)
  context.logger.info(
    `Dependencies: ${taken.length} algorithms in ${waves.length} wave(s), found by reading ${found.size} sources in ${seconds} s`
  )
  const addedBecause = new Map(taken.flatMap(each => (each.reason === undefined ? [] : [[each.algorithm, each.reason] as const])))
  return { waves, addedBecause }
}

/** Reads one level of the closure in one discovery run; each algorithm's outcome is remembered. */
async function discoverLevel(
  level: readonly string[],
  found: Map<string, Discovered | undefined>,
  context: RunContext,
  targetsOf: (algorithms: readonly string[]) => Target[]
): Promise<void> {
  const targets = targetsOf(level)
  const settled = await DISCOVERY_PIPELINE.run(
    targets,
    { ...context, ahead: context.ahead.forTargets([]) },
    { part: 'dependency discovery' }
  )
  for (const each of settled) {
    const read = each.ok ? await each.target.algorithmCalls : undefined
    if (!each.ok || read?.status !== 'fulfilled') {
      if (read?.status === 'rejected')
        context.logger.warning(`${each.target.algorithm}: its calls could not be read (${String(read.reason)})`)
      found.set(each.target.algorithm, undefined)
      continue
    }
    found.set(each.target.algorithm, { calls: read.value.references, version: each.target.source.version })
  }
  await Promise.all(settled.map(each => each.target.objects?.remove()))
}

/** The calls of the source owner's algorithms, as closure wants them. */
function callsOf(discovered: Discovered | undefined, sourceOwner: string): Call[] {
  return ownCalls(discovered, sourceOwner).map(call => ({ to: call.name, version: describeVersion(call.version) }))
}

function ownCalls(discovered: Discovered | undefined, sourceOwner: string): readonly AlgorithmReference[] {
  return (discovered?.calls ?? []).filter(call => call.owner.toLowerCase() === sourceOwner.toLowerCase())
}

function callEdges(taken: readonly Reached[], found: ReadonlyMap<string, Discovered | undefined>, sourceOwner: string): CallEdge[] {
  return taken.flatMap(each => ownCalls(found.get(each.algorithm), sourceOwner).map(call => ({ from: each.algorithm, to: call.name })))
}

/** A callee the source does not have is not added: its callers' checks report the call. */
function reportMissing(
  reached: readonly Reached[],
  found: ReadonlyMap<string, Discovered | undefined>,
  named: ReadonlySet<string>,
  context: RunContext
): void {
  for (const each of reached) {
    if (named.has(each.algorithm) || found.get(each.algorithm) !== undefined) continue
    context.logger.warning(
      `${each.algorithm} is ${each.reason ?? 'called'}, but it could not be read at the source ${context.config.source.cluster.label} (see the discovery's log above): it is not added to the run.`
    )
  }
}

/** A call pinned to a version the source's own latest does not match: promoting that version does not answer it. */
function reportUnacceptedVersions(
  taken: readonly Reached[],
  found: ReadonlyMap<string, Discovered | undefined>,
  context: RunContext
): void {
  const sourceOwner = context.config.source.algoOwner
  for (const caller of taken) {
    for (const call of ownCalls(found.get(caller.algorithm), sourceOwner)) {
      const callee = found.get(call.name)
      const kind = call.version.kind
      if (!callee || (kind !== 'semver' && kind !== 'minor' && kind !== 'major')) continue
      if (callee.version && acceptsVersion(call.version, callee.version)) continue
      const has = callee.version ? `its version ${callee.version}` : 'a commit that is not a published version'
      context.logger.warning(
        `${caller.algorithm} calls ${call.name} ${describeVersion(call.version)}, but the source's ${call.name} promoted by this run is ${has}: the destination will not hold a version that call accepts. Promote that version of ${call.name} (source-version, or source-versions to replay older versions), or change the call.`
      )
    }
  }
}

/**
 * Gathers the algorithms asked for in one turn of the event loop (closure asks
 * a whole level at once) into one call of `read`, so a level is one discovery
 * run: its stages take the level's algorithms side by side.
 */
function levelBatches(read: (level: readonly string[]) => Promise<void>): (algorithm: string) => Promise<void> {
  let pending: string[] = []
  let reading: Promise<void> | undefined
  return async algorithm => {
    pending.push(algorithm)
    reading ??= Promise.resolve().then(() => {
      const level = pending
      pending = []
      reading = undefined
      return read(level)
    })
    const current = reading
    await current
  }
}
