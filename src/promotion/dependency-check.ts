import { ClusterApiError } from '../cluster/errors.js'
import type { ClusterSession } from '../cluster/session.js'
import type { Version } from '../cluster/types.js'
import {
  addressOf,
  describeVersion,
  isDynamic,
  type AlgorithmReference,
  type DynamicReference,
  type FoundReference
} from '../dependencies/references.js'
import { checkReference, type DestinationAlgorithm, type PublishedVersion, type ReferenceCheck } from '../dependencies/satisfaction.js'
import { EarlyAnswers } from '../util/early-answers.js'

/** The algorithm calls in the promoted code: the references it names, and the calls built at run time. */
export interface AlgorithmCalls {
  readonly references: readonly AlgorithmReference[]
  readonly dynamic: readonly DynamicReference[]
}

export function splitCalls(found: readonly FoundReference[]): AlgorithmCalls {
  return {
    references: found.filter((reference): reference is AlgorithmReference => !isDynamic(reference)),
    dynamic: found.filter(isDynamic)
  }
}

/** The calls as the log says them: `calls owner/name/1.*, …`, and how many cannot be checked. */
export function describeCalls(calls: AlgorithmCalls): string {
  const { references, dynamic } = calls
  if (references.length === 0 && dynamic.length === 0) return 'calls no algorithm'
  const named = [...new Set(references.map(addressOf))]
  const text = named.length > 0 ? `calls ${named.join(', ')}` : 'names no algorithm'
  return dynamic.length > 0 ? `${text}; ${dynamic.length} call(s) built at run time cannot be checked` : text
}

/** One algorithm reference of the promoted code, as checked at one destination. */
export interface CheckedReference extends ReferenceCheck {
  /** `owner/name/1.*`, or `owner/name` for the latest version. */
  readonly address: string
  readonly owner: string
  readonly name: string
  /** The version form as written: `1.*`, `0.2.0`, `latest`. */
  readonly version: string
  /** Where it was found first. */
  readonly file: string
  readonly line: number
}

/**
 * What each destination cluster holds of the algorithms the promoted code
 * calls, asked once per destination and address within a run: a reference
 * shared by 200 algorithms costs one question (two requests: the algorithm,
 * its published versions), and code without references costs none.
 */
/** What the destination holds, or why its key may not read it (another owner's algorithm, say). */
export type HeldAlgorithm = DestinationAlgorithm | { readonly unreadable: string }

export class DependencyAnswers {
  private readonly answers = new EarlyAnswers<HeldAlgorithm>()

  of(session: ClusterSession, owner: string, name: string): Promise<HeldAlgorithm> {
    const key = answerKey(session, owner, name)
    this.answers.ask(key, () => destinationAlgorithm(session, owner, name))
    return this.answers.take(key, () => destinationAlgorithm(session, owner, name))
  }

  /** The run wrote to `name` at this destination (created it, published it): ask again next time. */
  forget(session: ClusterSession, owner: string, name: string): void {
    this.answers.forget(answerKey(session, owner, name))
  }
}

function answerKey(session: ClusterSession, owner: string, name: string): string {
  return `${session.account.cluster.apiUrl} ${owner.toLowerCase()}/${name.toLowerCase()}`
}

async function destinationAlgorithm(session: ClusterSession, owner: string, name: string): Promise<HeldAlgorithm> {
  try {
    return await readDestinationAlgorithm(session, owner, name)
  } catch (error) {
    // The key may not read another owner's algorithms: the call cannot be checked, which the reference then says.
    if (error instanceof ClusterApiError && (error.status === 401 || error.status === 403)) {
      return {
        unreadable: `the destination's key may not read ${owner}/${name} (${error.status}: ${error.apiMessage}), so whether a version answers the call is unknown`
      }
    }
    throw error
  }
}

async function readDestinationAlgorithm(session: ClusterSession, owner: string, name: string): Promise<DestinationAlgorithm> {
  const algorithm = await session.api.getAlgorithm(owner, name)
  if (!algorithm) return { exists: false, published: [] }
  const versions = await session.api.listVersions(owner, name, { published: true })
  return { exists: true, published: versions.flatMap(version => publishedVersion(version, algorithm.settings)) }
}

/** A version's callability is its own setting, else the algorithm's; public unless one says private. */
function publishedVersion(version: Version, settings: Record<string, unknown> | undefined): PublishedVersion[] {
  const number = version.version_info.semantic_version
  if (!number) return []
  const callability = version.settings?.algorithm_callability ?? settings?.algorithm_callability
  return [{ version: number, visibility: callability === 'private' ? 'private' : 'public' }]
}

/**
 * Checks each distinct reference (by address) against one destination, as
 * written: the owner is the one the code names, whoever the destination owner
 * is; `namesSourceOwner` says when that differs from where the code goes.
 */
export async function checkReferences(
  references: readonly AlgorithmReference[],
  session: ClusterSession,
  sourceOwner: string,
  answers: DependencyAnswers
): Promise<CheckedReference[]> {
  const distinct = new Map<string, AlgorithmReference>()
  for (const reference of references) if (!distinct.has(addressOf(reference))) distinct.set(addressOf(reference), reference)
  const context = { sourceOwner, destinationOwner: session.account.algoOwner }
  return Promise.all(
    [...distinct].map(async ([address, reference]) => {
      const held = await answers.of(session, reference.owner, reference.name)
      const { owner, name, file, line } = reference
      const check =
        'unreadable' in held
          ? {
              status: 'unmet' as const,
              reason: held.unreadable,
              namesSourceOwner: checkReference(reference, undefined, context).namesSourceOwner
            }
          : checkReference(reference, held, context)
      return { address, owner, name, version: describeVersion(reference.version), file, line, ...check }
    })
  )
}

/** The warning about a call that keeps going to the source owner's algorithm at the destination. */
export function sourceOwnerWarning(reference: CheckedReference, destinationOwner: string, where: string): string {
  return `calls ${reference.address} (${reference.file}:${reference.line}), which names the source owner ${reference.owner} while the code goes to ${destinationOwner} at ${where}: the call still reaches ${reference.owner}/${reference.name} there. References are never rewritten; change the call in the source, or promote under the same owner.`
}
