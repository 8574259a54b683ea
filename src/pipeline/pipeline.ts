import { explainFailure } from '../promotion/failure.js'
import type { PromotionStep } from '../promotion/result.js'
import { mapWithConcurrency } from '../util/concurrency.js'
import type { PromotionPhase, ProgressListener } from '../util/log.js'
import {
  accountOf,
  FailedAfterProgress,
  type Failure,
  type RunContext,
  type Settled,
  type Stage,
  type Target,
  type TargetContext
} from './stage.js'

/** A target on its way through the stages; `state` grows with each stage's output. */
interface Entry {
  state: Target
  failure?: Failure
  headSeen?: string
}

type AnyStage = Stage<Target, object>

/** How a run is shown: live progress, and which part of a larger run this is (added to each log group's title). */
export interface RunOptions {
  readonly onProgress?: ProgressListener
  readonly part?: string
}

/**
 * An ordered list of stages whose types chain: each stage's input must be what
 * the stages before it produced, so a stage placed before what it needs does
 * not compile. Adding a stage is one more `.then(stage)`.
 */
export class Pipeline<T extends Target> {
  private constructor(private readonly stages: readonly AnyStage[]) {}

  /** The stages' titles, in order: what a run's log groups will be. */
  get titles(): readonly string[] {
    return this.stages.map(stage => stage.title)
  }

  static start(): Pipeline<Target> {
    return new Pipeline([])
  }

  then<Adds extends object>(stage: Stage<T, Adds>): Pipeline<T & Adds> {
    // The chain's types are checked here, at the call; the runner itself only moves objects along.
    return new Pipeline<T & Adds>([...this.stages, stage as unknown as AnyStage])
  }

  /** Every target through every stage. Never throws for a target's failure: it is in the returned list. */
  async run(targets: readonly Target[], context: RunContext, options: RunOptions = {}): Promise<Settled<T>[]> {
    const entries: Entry[] = targets.map(state => ({ state }))
    for (const stage of this.stages) {
      await runStage(stage, entries, context, options)
    }
    return entries.map(entry =>
      entry.failure
        ? { ok: false, target: entry.state as Target & Partial<T>, failure: entry.failure, headSeen: entry.headSeen }
        : { ok: true, target: entry.state as T }
    )
  }
}

async function runStage(stage: AnyStage, entries: Entry[], context: RunContext, { onProgress, part }: RunOptions): Promise<void> {
  const participants: Entry[] = []
  for (const entry of entries.filter(entry => !entry.failure)) {
    const skipped = stage.skip?.(entry.state, context.config)
    if (skipped) entry.state = { ...entry.state, ...skipped }
    else participants.push(entry)
  }
  if (participants.length === 0) return
  const groups = stage.scope === 'target' ? participants.map(entry => [entry]) : [...groupByAlgorithm(participants).values()]
  await context.logger.group(part ? `${stage.title} (${part})` : stage.title, () =>
    mapWithConcurrency(groups, context.config.concurrency, async group => {
      if (stage.scope === 'algorithm') await runShared(stage, group, context, onProgress)
      else for (const entry of group) await runOne(stage, entry, [entry], context, onProgress)
      if (stage.afterAlgorithm)
        await stage.afterAlgorithm(
          group.map(entry => entry.state),
          context
        )
    })
  )
}

/** Once for the algorithm; its output (or its failure) goes to every destination of it. */
async function runShared(stage: AnyStage, group: Entry[], context: RunContext, onProgress?: ProgressListener): Promise<void> {
  const adds = await runOne(stage, group[0], group, context, onProgress)
  if (adds) for (const entry of group.slice(1)) entry.state = { ...entry.state, ...adds }
}

/** Runs the stage for `entry`; a failure is recorded on every entry of `sharing`. */
async function runOne(
  stage: AnyStage,
  entry: Entry,
  sharing: Entry[],
  context: RunContext,
  onProgress?: ProgressListener
): Promise<object | undefined> {
  let step: PromotionStep = stage.step
  const progress = (phase: PromotionPhase): void => {
    for (const { state } of sharing) onProgress?.({ algorithm: state.algorithm, destination: state.session.account.cluster.label, phase })
  }
  const targetContext: TargetContext = {
    run: context,
    step: next => (step = next),
    progress,
    sawHead: commit => (entry.headSeen = commit),
    wrote: what => context.ahead.wrote(entry.state, what)
  }
  try {
    const adds = await stage.run(entry.state, targetContext)
    entry.state = { ...entry.state, ...adds }
    return adds
  } catch (thrown) {
    const error = thrown instanceof FailedAfterProgress ? thrown.cause : thrown
    if (thrown instanceof FailedAfterProgress) entry.state = { ...entry.state, ...thrown.adds }
    const account = accountOf(stage.side, entry.state, context)
    const message = explainFailure(error, { algorithm: entry.state.algorithm, step, account, role: stage.side })
    for (const failed of sharing) failed.failure = { step, message }
    context.logger.error(message)
    progress('failed')
    return undefined
  }
}

function groupByAlgorithm(entries: Entry[]): Map<string, Entry[]> {
  const groups = new Map<string, Entry[]>()
  for (const entry of entries) groups.set(entry.state.algorithm, [...(groups.get(entry.state.algorithm) ?? []), entry])
  return groups
}
