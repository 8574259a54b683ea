import type { PromotionConfig } from '../core/config.js'
import { addressOf, isDynamic, type AlgorithmReference, type DynamicReference } from '../dependencies/references.js'
import type { Stage, Target, TargetContext } from '../pipeline/stage.js'
import { codeWillChange } from '../promotion/code-change.js'
import type { PreparedDestination } from './prepare-destination.js'
import type { ResolvedSource } from './resolve-source.js'

/** The algorithm calls in the promoted code: the references it names, and the calls built at run time. */
export interface AlgorithmCalls {
  readonly references: readonly AlgorithmReference[]
  readonly dynamic: readonly DynamicReference[]
}

/**
 * What checking the dependencies needs: the calls read, or undefined where they
 * were not (`dependencies: off`, or code that changes at no destination).
 */
export interface AlgorithmCallsRead {
  readonly algorithmCalls: AlgorithmCalls | undefined
}

/** The destination's state is unknown to a pipeline that only reads (promote's discovery): its calls are read. */
type FindTarget = Target & ResolvedSource & Partial<PreparedDestination>

/**
 * Reads the algorithm calls in each algorithm's source while its objects are
 * at hand (before the code sync frees them): once per algorithm, however many
 * destinations ask, and only where the code will change — an unchanged re-run
 * moves no source object. With `dependencies: promote` every source is read:
 * the run's order depends on the calls whether the code changes or not.
 */
export const findAlgorithmCallsStage: Stage<FindTarget, AlgorithmCallsRead> = {
  title: 'Find algorithm calls',
  step: 'resolve source',
  scope: 'targets-of-algorithm',
  side: 'source',
  skip: (_target, config) => (config.dependencies === 'off' ? { algorithmCalls: undefined } : undefined),
  run: async (target, context) => {
    if (!(await callsWanted(target, context.run.config, context))) return { algorithmCalls: undefined }
    const found = await target.objects.algorithmCalls()
    const references = found.filter((reference): reference is AlgorithmReference => !isDynamic(reference))
    const dynamic = found.filter(isDynamic)
    context.run.logger.info(`${target.label}: ${describeCalls(references, dynamic)}`)
    return { algorithmCalls: { references, dynamic } }
  }
}

async function callsWanted(target: FindTarget, config: PromotionConfig, context: TargetContext): Promise<boolean> {
  const { destinationState } = target
  if (config.dependencies === 'promote' || destinationState === undefined) return true
  return codeWillChange({ ...target, destinationState }, context.run.ahead.destinations)
}

function describeCalls(references: readonly AlgorithmReference[], dynamic: readonly DynamicReference[]): string {
  if (references.length === 0 && dynamic.length === 0) return 'calls no algorithm'
  const named = [...new Set(references.map(addressOf))]
  const calls = named.length > 0 ? `calls ${named.join(', ')}` : 'names no algorithm'
  return dynamic.length > 0 ? `${calls}; ${dynamic.length} call(s) built at run time cannot be checked` : calls
}
