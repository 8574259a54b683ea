import type { PromotionConfig } from '../core/config.js'
import type { CollectionProgressListener } from '../promotion/collections-phase.js'
import { withWorkDirectory } from '../process/work-directory.js'
import type { RunReport } from '../report/run-report.js'
import type { Logger, ProgressListener } from '../util/log.js'
import type { SecretRegistry } from '../util/secrets.js'
import { prepareRun } from './prepare.js'
import { promote, readEarlierVersionMap } from './run.js'

/** What a front end attaches to a run once it is prepared (its algorithms named, its owners made). */
export interface RunObserver {
  readonly onProgress?: ProgressListener
  readonly onCollectionProgress?: CollectionProgressListener
  /** The promotions are through; told before the report is presented. */
  finished?(report: RunReport): Promise<void>
  /** The run stopped before it had a report. */
  stopped?(error: unknown): Promise<void>
}

/** What a front end hands the run: where its lines and secrets go, and where temporary repositories may live. */
export interface RunSetting {
  /** The environment the front end was handed (the process's, for both front ends). */
  readonly environment: Readonly<NodeJS.ProcessEnv>
  readonly logger: Logger
  readonly secrets: SecretRegistry
  /** The folder the run's own temporary folder is made in (RUNNER_TEMP, or the system's). */
  readonly workRoot: string
  /** Told the run's temporary folder as soon as it exists (the action's post step removes it after a kill). */
  readonly onWorkDirectory?: (workDir: string) => void
  /** Attached once the run is prepared, before anything is promoted (GitHub records, progress displays). */
  readonly observe?: (config: PromotionConfig) => Promise<RunObserver | undefined> | RunObserver | undefined
}

/**
 * A promotion run, the same for the action and the command line, which only
 * adapt its input and output: the earlier version map is read and checked
 * before anything is written (a bad `version-map-file` changes nothing, not
 * even an owner that `create-owner` would make), then the run is prepared,
 * observed, promoted in its own temporary folder, and reported.
 */
export async function runPromotion(parsed: PromotionConfig, setting: RunSetting): Promise<{ config: PromotionConfig; report: RunReport }> {
  const { logger, secrets, environment } = setting
  const earlier = await readEarlierVersionMap(parsed)
  const config = await prepareRun(parsed, { logger, redact: text => secrets.redact(text) })
  const observer = await setting.observe?.(config)
  let report: RunReport
  try {
    report = await withWorkDirectory(
      setting.workRoot,
      message => logger.warning(message),
      workDir =>
        promote(
          config,
          { environment, logger, secrets, workDir, onProgress: observer?.onProgress, onCollectionProgress: observer?.onCollectionProgress },
          earlier
        ),
      setting.onWorkDirectory
    )
  } catch (error) {
    await observer?.stopped?.(error)
    throw error
  }
  await observer?.finished?.(report)
  return { config, report }
}

/** A run failed when a promotion failed, or a data collection was not fully promoted. */
export function runFailed(report: RunReport): boolean {
  return report.failed > 0 || (report.failedCollections ?? 0) > 0
}
