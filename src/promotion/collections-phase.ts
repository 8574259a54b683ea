import { clusterHttp } from '../cluster/session.js'
import { DataApi } from '../data/data-api.js'
import type { ClusterAccount } from '../core/config.js'
import { promoteCollection } from '../data/promote-collection.js'
import { REFERENCE_PATTERN, classifyReferences, referencesIn, type DataReferences } from '../data/references.js'
import type { CollectionResult } from '../data/result.js'
import type { PromotionConfig } from '../core/config.js'
import { HeldLog } from '../util/held-log.js'
import type { Logger } from '../util/log.js'
import type { AlgorithmObjects } from './algorithm-objects.js'

/** Told how many bytes of a collection are copied so far, for live displays. */
export type CollectionProgressListener = (event: {
  readonly collection: string
  readonly destination: string
  readonly copiedBytes: number
  readonly totalBytes: number
}) => void

/**
 * The data side of a run: gathers the `data://` references of the promoted
 * code, then promotes the chosen collections to each destination once, however
 * many algorithms go there. Promotion stages call it; it knows nothing of them.
 */
export class CollectionsPhase {
  private readonly found: { owner: string; collection: string }[] = []
  private readonly foundKeys = new Set<string>()
  private readonly perDestination = new Map<string, DestinationData>()
  /** How many references were looked at for those of other owners, which are mentioned once, not per destination. */
  private mentionedUpTo = 0
  private readonly scans = new WeakMap<AlgorithmObjects, Promise<void>>()

  constructor(
    private readonly config: PromotionConfig,
    private readonly logger: Logger,
    private readonly redact: (text: string) => string,
    private readonly onProgress?: CollectionProgressListener
  ) {}

  get wanted(): boolean {
    return this.config.collections.selection.kind !== 'none'
  }

  /**
   * Whether promoting to `destinationOwner` needs the references in the
   * promoted code; reading them fetches the whole source. `auto` needs them to
   * know what to copy. Named collections need them only for the warning about
   * code that reads the source owner's collections, which concerns code that
   * is pushed to another owner: a destination whose code is unchanged got it
   * when that code was pushed, and an unchanged re-run otherwise never moves a
   * source object (it decides from ref listings alone).
   */
  async needsReferences(destinationOwner: string, codeWillChange: () => Promise<boolean>): Promise<boolean> {
    const selection = this.config.collections.selection.kind
    if (selection === 'none') return false
    if (selection === 'auto') return true
    return destinationOwner !== this.config.source.algoOwner && (await codeWillChange())
  }

  /**
   * Reads the references in one algorithm's source, once however many of its
   * destinations ask; a failure to read them is a warning, not a failed promotion.
   */
  scan(algorithm: string, objects: AlgorithmObjects): Promise<void> {
    if (!this.wanted) return Promise.resolve()
    let scan = this.scans.get(objects)
    if (!scan) {
      scan = this.read(algorithm, objects)
      this.scans.set(objects, scan)
    }
    return scan
  }

  private async read(algorithm: string, objects: AlgorithmObjects): Promise<void> {
    try {
      for (const reference of referencesIn((await objects.sourceMatches(REFERENCE_PATTERN)).join('\n'))) this.remember(reference)
    } catch (error) {
      this.logger.warning(`${algorithm}: its source could not be searched for data:// references (${(error as Error).message})`)
    }
  }

  /** Each reference once, however many algorithms of however many batches name it. */
  private remember(reference: { owner: string; collection: string }): void {
    const key = `${reference.owner}/${reference.collection}`
    if (this.foundKeys.has(key)) return
    this.foundKeys.add(key)
    this.found.push(reference)
  }

  /**
   * Starts copying named collections to a destination as soon as it is ready,
   * while its code is synced: the copy needs nothing from the code, and a
   * large collection then no longer waits for git. Its log lines are held for
   * the collections' own log group (forDestination). `auto` waits for the
   * references of the promoted algorithms instead.
   */
  startAhead(destination: ClusterAccount): void {
    const selection = this.config.collections.selection
    const key = destinationKey(destination)
    if (selection.kind !== 'named' || this.perDestination.has(key)) return
    const held = new HeldLog(this.logger)
    const wanted = this.namesToPromote(NO_REFERENCES, false)
    this.perDestination.set(key, {
      work: this.promoteAll(destination, wanted, held),
      started: new Set(wanted.map(entry => entry.name)),
      seen: undefined,
      held
    })
  }

  /**
   * Reports what the promoted code references, then promotes the collections
   * to one destination (or waits for the copy started ahead). A later call for
   * the same destination shares that work, and adds only collections that
   * references found since then name: a run taken in batches reads the
   * references of each batch before that batch's data is promoted.
   */
  async forDestination(destination: ClusterAccount): Promise<CollectionResult[]> {
    if (!this.wanted) return []
    const data = this.dataOf(destinationKey(destination))
    if (data.seen !== this.found.length) this.present(destination, data)
    const results = await data.work
    data.held?.release()
    return results
  }

  /** Every collection result, destination by destination; shows the lines of copies whose stage never came. */
  async results(): Promise<CollectionResult[]> {
    const results = (await Promise.all([...this.perDestination.values()].map(data => data.work))).flat()
    for (const data of this.perDestination.values()) data.held?.release()
    return results
  }

  private dataOf(key: string): DestinationData {
    let data = this.perDestination.get(key)
    if (!data) {
      data = { work: Promise.resolve([]), started: new Set(), seen: undefined }
      this.perDestination.set(key, data)
    }
    return data
  }

  /** Reports the references found since the last time, and promotes what they add. */
  private present(destination: ClusterAccount, data: DestinationData): void {
    const first = data.seen === undefined
    const references = classifyReferences(this.found.slice(data.seen ?? 0), this.config.source.algoOwner)
    data.seen = this.found.length
    this.report(references, destination)
    const wanted = this.namesToPromote(references, first).filter(entry => !data.started.has(entry.name))
    if (wanted.length === 0) return
    for (const entry of wanted) data.started.add(entry.name)
    const earlier = data.work
    data.work = earlier.then(async results => [...results, ...(await this.promoteAll(destination, wanted, this.logger))])
  }

  /**
   * Named collections, or what `auto` found: the source owner's collections named by owner, and those
   * named through `data://.my/`, which may be ones the code creates as it runs (a cache, say): those
   * are promoted only where the source owner has them.
   */
  private namesToPromote(references: DataReferences, first: boolean): readonly Wanted[] {
    const selection = this.config.collections.selection
    if (selection.kind === 'named') return selection.names.map(name => ({ name, ifAtSource: false }))
    const named = new Set(references.ofSourceOwner)
    const names = [...new Set([...references.ofSourceOwner, ...references.ofOwnOwner])].sort()
    if (names.length === 0 && first) {
      this.logger.info(
        `collections: auto found no data://${this.config.source.algoOwner}/… or data://.my/… reference in the promoted code; no collection to promote`
      )
    }
    return names.map(name => ({ name, ifAtSource: !named.has(name) }))
  }

  private async promoteAll(destination: ClusterAccount, wanted: readonly Wanted[], logger: Logger): Promise<CollectionResult[]> {
    const results: CollectionResult[] = []
    for (const { name, ifAtSource } of wanted) {
      if (ifAtSource && !(await this.atSource(name, logger))) continue
      results.push(await this.promoteOne(destination, name, logger))
    }
    return results
  }

  /** Whether the source owner has the collection; a `data://.my/` reference to one it lacks is only mentioned. */
  private async atSource(collection: string, logger: Logger): Promise<boolean> {
    const source = this.config.source
    if (await this.dataApi(source, logger).listCollection(source.algoOwner, collection)) return true
    logger.info(
      `the promoted code reads data://.my/${collection}, which ${source.algoOwner} does not have on ${source.cluster.label}: nothing to copy (the code may create it as it runs)`
    )
    return false
  }

  private async promoteOne(destination: ClusterAccount, collection: string, logger: Logger): Promise<CollectionResult> {
    const source = this.config.source
    const label = destination.cluster.label
    const result = await promoteCollection({
      source: { data: this.dataApi(source, logger), owner: source.algoOwner, collection, cluster: source.cluster.label },
      destination: { data: this.dataApi(destination, logger), owner: destination.algoOwner, collection, label },
      prune: this.config.collections.prune,
      dryRun: this.config.dryRun,
      concurrency: this.config.concurrency,
      retry: this.config.retry,
      logger,
      onProgress: event => this.onProgress?.({ collection, destination: label, ...event })
    })
    logger.info(describe(result, destination.algoOwner))
    if (result.error) logger.warning(`${label}: data://${destination.algoOwner}/${collection}: ${result.error}`)
    return result
  }

  private dataApi(account: ClusterAccount, logger: Logger): DataApi {
    return new DataApi(account.cluster.label, clusterHttp(account, this.config.retry, logger, this.redact))
  }

  private report(references: DataReferences, destination: ClusterAccount): void {
    const sourceOwner = this.config.source.algoOwner
    this.mentionElsewhere()
    if (!references.ofSourceOwner.length || destination.algoOwner === sourceOwner) return
    this.logger.warning(
      `the promoted code reads data://${sourceOwner}/… (${references.ofSourceOwner.join(', ')}), so on ${destination.cluster.label} it will read ${sourceOwner}'s collections, not ${destination.algoOwner}'s: use data://.my/… in the code, or make sure ${sourceOwner} owns those collections there`
    )
  }

  /** References the run never copies, each mentioned once however many destinations there are. */
  private mentionElsewhere(): void {
    const sourceOwner = this.config.source.algoOwner
    const references = classifyReferences(this.found.slice(this.mentionedUpTo), sourceOwner)
    this.mentionedUpTo = this.found.length
    const elsewhere = [...references.relative, ...references.ofOtherOwners]
    if (elsewhere.length === 0) return
    this.logger.info(
      `the promoted code also reads ${elsewhere.join(', ')}; these are not copied (they are not collections of ${sourceOwner})`
    )
  }
}

/** One destination's collections: the copies so far, the names they cover, how many references were seen. */
interface DestinationData {
  work: Promise<CollectionResult[]>
  readonly started: Set<string>
  /** How many of the run's references this destination was told about; undefined before the first time. */
  seen: number | undefined
  /** The log lines of a copy started ahead of its log group. */
  readonly held?: HeldLog
}

/** A collection to promote; `ifAtSource`: only if the source owner has it. */
interface Wanted {
  readonly name: string
  readonly ifAtSource: boolean
}

/** Named collections need no references to know what to copy. */
const NO_REFERENCES: DataReferences = { ofSourceOwner: [], ofOwnOwner: [], relative: [], ofOtherOwners: [] }

function destinationKey(destination: ClusterAccount): string {
  return `${destination.cluster.apiUrl} ${destination.algoOwner}`
}

function describe(result: CollectionResult, destinationOwner: string): string {
  const where = `${result.destination}: data://${destinationOwner}/${result.collection}`
  if (result.status === 'failed' && result.error && !result.copied) return `${where}: failed`
  const verb = result.status === 'planned' ? 'would copy' : 'copied'
  const parts = [
    result.created ? (result.status === 'planned' ? 'would be created' : 'created') : '',
    `${verb} ${result.copied} files (${formatBytes(result.bytes)})`,
    `${result.skipped} unchanged`,
    result.pruned ? `${result.status === 'planned' ? 'would prune' : 'pruned'} ${result.pruned}` : '',
    result.keptFiles.length ? `${result.keptFiles.length} only at the destination, kept` : '',
    result.failed.length ? `${result.failed.length} failed` : ''
  ]
  return `${where}: ${parts.filter(Boolean).join(', ')}`
}

export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`
  const units = ['kB', 'MB', 'GB', 'TB']
  let value = bytes / 1000
  let unit = 0
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000
    unit++
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`
}
