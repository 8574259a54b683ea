import * as core from '@actions/core'
import os from 'node:os'
import { gitHubRecorder } from './github-api/records.js'
import { InputError } from './core/input-error.js'
import { parseAccountsConfig, parseConfig } from './inputs/parse.js'
import type { PromotionConfig } from './core/config.js'
import { isAccountsMode } from './inputs/run-options.js'
import { runAccounts } from './accounts/run.js'
import { presentAccounts } from './workflow-commands/accounts-output.js'
import { secretsInInputs } from './inputs/secret-inputs.js'
import { runFailed, runPromotion, type RunObserver } from './run/sequence.js'
import type { RunReport } from './report/run-report.js'
import { SecretRegistry } from './util/secrets.js'
import { writeJobSummary } from './workflow-commands/job-summary.js'
import { actionsLogger } from './workflow-commands/logger.js'
import { setOutputs } from './workflow-commands/outputs.js'

/** Where the post step finds the work directory of a run that was cancelled before it could remove it. */
export const WORK_DIR_STATE = 'work-dir'

/** The GitHub Action: inputs → promotion → outputs, job summary and annotations. */
export async function run(): Promise<void> {
  const secrets = new SecretRegistry(secret => core.setSecret(secret))
  try {
    const read = readInputs(secrets)
    const redact = (text: string): string => secrets.redact(text)
    if (isAccountsMode(read)) {
      return await presentAccounts(await runAccounts(parseAccountsConfig(read, process.env), { logger: actionsLogger, redact }))
    }
    const { config, report } = await runPromotion(parseConfig(read, process.env), {
      environment: process.env,
      logger: actionsLogger,
      secrets,
      workRoot: process.env.RUNNER_TEMP || os.tmpdir(),
      onWorkDirectory: workDir => core.saveState(WORK_DIR_STATE, workDir),
      observe: config => recordsObserver(config, secrets)
    })
    await present(config, report)
  } catch (error) {
    reportFailure(error, secrets)
  }
}

/** GitHub deployments and plan comments, when asked for: started before the promotions, settled after. */
async function recordsObserver(config: PromotionConfig, secrets: SecretRegistry): Promise<RunObserver | undefined> {
  const records = gitHubRecorder(config, process.env, actionsLogger)
  if (!records) return undefined
  await records.beforePromotion()
  return {
    finished: report => records.afterPromotion(report),
    // No deployment may stay "in progress" when the run stops early.
    stopped: error => records.abandon(secrets.redact(error instanceof Error ? error.message : String(error)))
  }
}

/** Masks every key before the inputs are even checked, so no early error can print one. */
function readInputs(secrets: SecretRegistry): (name: string) => string {
  const read = (name: string): string => core.getInput(name)
  secrets.registerAll(secretsInInputs(read, process.env))
  return read
}

async function present(config: PromotionConfig, report: RunReport): Promise<void> {
  setOutputs(report)
  for (const result of report.results) {
    if (result.error) core.error(result.error, { title: `${result.algorithm} → ${result.destination}: ${result.failedStep} failed` })
  }
  await writeJobSummary(config, report).catch((error: Error) =>
    core.warning(`The job summary could not be written (${error.message}); the outputs hold the same results.`)
  )
  if (!runFailed(report)) return
  if (report.failed > 0)
    core.setFailed(`${report.failed} of ${report.results.length} promotions failed; see the errors above and the job summary.`)
  else
    core.setFailed(
      `${report.failedCollections} of ${report.collections?.length} data collections were not fully promoted; see the warnings above and the job summary.`
    )
}

function reportFailure(error: unknown, secrets: SecretRegistry): void {
  if (error instanceof InputError) {
    for (const problem of error.problems) core.error(secrets.redact(problem.message), { title: `Input '${problem.input}'` })
    core.setFailed(`The inputs are not usable, so nothing was changed:\n${secrets.redact(error.message)}`)
    return
  }
  // The message is written for users; the stack helps a maintainer, so it goes to the debug log.
  if (error instanceof Error && error.stack) core.debug(secrets.redact(error.stack))
  core.setFailed(secrets.redact(error instanceof Error ? error.message : String(error)))
}
