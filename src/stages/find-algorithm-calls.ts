import type { PromotionConfig } from '../core/config.js'
import { splitCalls, type AlgorithmCalls } from '../promotion/dependency-check.js'
import { settle } from '../util/settled.js'
import type { Stage, Target, TargetContext } from '../pipeline/stage.js'
import { codeWillChange } from '../promotion/code-change.js'
import type { PreparedDestination } from './prepare-destination.js'
import type { ResolvedSource } from './resolve-source.js'

/**
 * What checking the dependencies needs: the calls being read (settled, so a
 * failed read waits for the stage that needs it), or undefined where they are
 * not read (`dependencies: off`, or code that changes at no destination).
 * Check dependencies takes them, so placing it before this stage does not compile.
 */
export interface AlgorithmCallsRead {
  readonly algorithmCalls: Promise<PromiseSettledResult<AlgorithmCalls>> | undefined
}

/** The destination's state is unknown to a pipeline that only reads (promote's discovery): its calls are read. */
type FindTarget = Target & ResolvedSource & Partial<PreparedDestination>

/**
 * Starts reading the algorithm calls in each algorithm's source while its
 * objects are at hand (before the code sync frees them, which waits for the
 * read): once per algorithm, however many destinations ask, and only where the
 * code will change — an unchanged re-run moves no source object. The read runs
 * alongside the code sync and is awaited by check dependencies. It needs the
 * whole source: from a server without partial clone the sync fetches that
 * anyway; from one with it, the blobs every destination already holds come too.
 * The read belongs to the algorithm's object stores (AlgorithmObjects), like
 * their prefetch, and is let go with them. With `dependencies: promote`
 * every source is read: the run's order depends on the calls whether the code
 * changes or not.
 */
export const findAlgorithmCallsStage: Stage<FindTarget, AlgorithmCallsRead> = {
  title: 'Find algorithm calls',
  step: 'resolve source',
  scope: 'targets-of-algorithm',
  side: 'source',
  skip: (_target, config) => (config.dependencies === 'off' ? { algorithmCalls: undefined } : undefined),
  run: async (target, context) => {
    if (!(await callsWanted(target, context.run.config, context))) return { algorithmCalls: undefined }
    return { algorithmCalls: settle(target.objects.algorithmCalls().then(splitCalls)) }
  }
}

async function callsWanted(target: FindTarget, config: PromotionConfig, context: TargetContext): Promise<boolean> {
  const { destinationState } = target
  if (config.dependencies === 'promote' || destinationState === undefined) return true
  return codeWillChange({ ...target, destinationState }, context.run.ahead.destinations)
}
