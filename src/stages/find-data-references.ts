import type { Stage, Target } from '../pipeline/stage.js'
import type { ResolvedSource } from './resolve-source.js'
import { collectionsOf } from './promote-data.js'

/**
 * Reads the `data://` references of each algorithm's source while its objects
 * are at hand (before the code sync frees them), for `collections: auto` and
 * for the warning about the source owner's collections. Only with `collections`.
 */
export const findDataReferencesStage: Stage<Target & ResolvedSource, object> = {
  title: 'Find data references',
  step: 'resolve source',
  scope: 'algorithm',
  side: 'source',
  skip: (_target, config) => (config.collections.selection.kind === 'none' ? {} : undefined),
  run: async (target, context) => {
    await collectionsOf(context.run).scan(target.algorithm, target.objects)
    return {}
  }
}
