import type { DynamicReference } from '../dependencies/references.js'
import { checkReferences, describeCalls, sourceOwnerWarning, type CheckedReference } from '../promotion/dependency-check.js'
import { PromotionError } from '../promotion/failure.js'
import { needsPublishing } from '../promotion/publishing-need.js'
import type { Stage, Target } from '../pipeline/stage.js'
import { valueOf } from '../util/settled.js'
import type { AlgorithmCallsRead } from './find-algorithm-calls.js'
import type { SyncedCode } from './sync-code.js'

/** The promoted code's calls as checked at this destination; undefined when they were not read. */
export interface CheckedDependencies {
  readonly dependencies:
    | {
        readonly references: readonly CheckedReference[]
        readonly dynamic: readonly DynamicReference[]
      }
    | undefined
}

type CheckTarget = Target & AlgorithmCallsRead & SyncedCode

/**
 * Asks each destination whether it answers the calls the promoted code makes
 * (the algorithm exists, a version the call accepts is published and callable
 * by the destination owner), before anything is built: with `dependencies:
 * require` an unmet call fails the algorithm here, so it is never built,
 * smoke-tested or published; otherwise it is a warning. A call that names the
 * source owner while the destination owner differs is always a warning:
 * references are reported, never rewritten.
 */
export const checkDependenciesStage: Stage<CheckTarget, CheckedDependencies> = {
  title: 'Check dependencies',
  step: 'check dependencies',
  scope: 'target',
  side: 'destination',
  skip: (target, config) =>
    config.dependencies === 'off' || target.algorithmCalls === undefined ? { dependencies: undefined } : undefined,
  run: async (target, context) => {
    const { config, logger, source, ahead } = context.run
    if (!target.algorithmCalls) return { dependencies: undefined }
    const calls = valueOf(await target.algorithmCalls)
    logger.info(`${target.label}: ${describeCalls(calls)}`)
    const references = await checkReferences(calls.references, target.session, source.account.algoOwner, ahead.dependencies)
    const where = target.session.account.cluster.label
    for (const reference of references.filter(each => each.namesSourceOwner)) {
      logger.warning(`${target.label}: ${sourceOwnerWarning(reference, target.session.account.algoOwner, where)}`)
    }
    const unmet = references.filter(reference => reference.status === 'unmet')
    if (unmet.length > 0 && config.dependencies === 'require' && needsPublishing(target, config)) {
      throw new PromotionError(`${unmet.map(reference => unmetText(reference, where)).join('; ')}. ${REQUIRE_ADVICE}`)
    }
    for (const reference of unmet) logger.warning(`${target.label}: ${unmetText(reference, where)}`)
    return { dependencies: { references, dynamic: calls.dynamic } }
  }
}

const REQUIRE_ADVICE =
  "Nothing was built or published (dependencies: require). Promote the called algorithms there first (dependencies: promote does it for the source owner's), or use dependencies: warn."

function unmetText(reference: CheckedReference, where: string): string {
  const reason = (reference.reason ?? 'unmet').replace(/the destination/g, where)
  return `calls ${reference.owner}/${reference.name} ${reference.version} (${reference.file}:${reference.line}), which ${where} does not answer: ${reason}`
}
