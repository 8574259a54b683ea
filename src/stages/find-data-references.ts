import type { Stage, Target } from '../pipeline/stage.js'
import { codeWillChange } from '../promotion/code-change.js'
import type { PreparedDestination } from './prepare-destination.js'
import type { ResolvedSource } from './resolve-source.js'

/**
 * What promoting the data waits for: the references read (or known not to be
 * needed) and the named copies started. Promote data needs it, so placing it
 * after that stage does not compile.
 */
export interface DataReferencesRead {
  readonly dataReferences: 'read' | 'not needed' | 'not wanted'
}

/**
 * Reads the `data://` references of each algorithm's source while its objects
 * are at hand (before the code sync frees them), once per algorithm, for
 * `collections: auto` and for the warning about the source owner's collections.
 * Only with `collections`, and only where the references matter (see
 * CollectionsPhase.needsReferences): reading them fetches the whole source.
 * Named collections need no references to be copied: their copy to this
 * destination starts here, alongside the code sync (see CollectionsPhase.startAhead).
 */
export const findDataReferencesStage: Stage<Target & ResolvedSource & PreparedDestination, DataReferencesRead> = {
  title: 'Find data references',
  step: 'resolve source',
  scope: 'targets-of-algorithm',
  side: 'source',
  skip: (_target, config) => (config.collections.selection.kind === 'none' ? { dataReferences: 'not wanted' } : undefined),
  run: async (target, context) => {
    const phase = context.run.ahead.collections
    phase.startAhead(target.session.account)
    if (await phase.needsReferences(target.session.account.algoOwner, () => codeWillChange(target, context.run.ahead.destinations))) {
      await phase.scan(target.algorithm, target.objects)
      return { dataReferences: 'read' }
    }
    return { dataReferences: 'not needed' }
  }
}
