import { ObjectStore } from '../git/object-store.js'
import { AlgorithmObjects } from '../promotion/algorithm-objects.js'
import { resolveSource, type SourceRevision } from '../promotion/source.js'
import type { Stage, Target } from '../pipeline/stage.js'

/** What the source holds for an algorithm: the exact revision, and the object stores its destinations share. */
export interface ResolvedSource {
  readonly source: SourceRevision
  readonly objects: AlgorithmObjects
}

/** Finds each algorithm on the source and the commit to promote, once for all its destinations. */
export const resolveSourceStage: Stage<Target, ResolvedSource> = {
  title: 'Resolve source versions',
  step: 'resolve source',
  scope: 'algorithm',
  side: 'source',
  run: async (target, context) => {
    const { config, source, logger, redact, workDir, gitServers } = context.run
    context.progress('resolving')
    // The destinations' first questions travel with the source's (see DestinationLookups).
    context.run.ahead.destinations.start(target.algorithm)
    const storeOptions = { parentDir: workDir, retry: config.retry, logger, redact, capabilities: gitServers, runner: context.run.git }
    const createStore = (role: string): Promise<ObjectStore> => ObjectStore.create(`${target.algorithm}-${role}`, storeOptions)
    const probe = createStore('probe')
    const revision = await resolveSource(
      source,
      await probe,
      target.sourceRemote,
      target.algorithm,
      config.sourceVersion,
      config.sourceVersions
    )
    const objects = new AlgorithmObjects(role => (role === 'probe' ? probe : createStore(role)), target.sourceRemote, revision.commit)
    context.run.waitBeforeCleanup(() => objects.settled())
    const version = revision.version ? ` (version ${revision.version})` : ''
    logger.info(
      `${target.algorithm}: source ${source.account.cluster.label} ${source.account.algoOwner}/${target.algorithm} at ${revision.commit}${version}`
    )
    return { source: revision, objects }
  }
}
