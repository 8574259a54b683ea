import * as core from '@actions/core'
import os from 'node:os'
import { actionsLogger } from './workflow-commands/logger.js'
import { gitHubRecorder } from './github-api/records.js'
import { writeJobSummary } from './workflow-commands/job-summary.js'
import { setOutputs } from './workflow-commands/outputs.js'
import { InputError } from './inputs/input-error.js'
import { parseConfig } from './inputs/parse.js'
import { secretsInInputs } from './inputs/secret-inputs.js'
import { promote, readEarlierVersionMap, type RunReport } from './promote.js'
import { SecretRegistry } from './util/secrets.js'

/** The GitHub Action: inputs → promotion → outputs, job summary and annotations. */
export async function run(): Promise<void> {
  const secrets = new SecretRegistry(secret => core.setSecret(secret))
  try {
    const read = (name: string): string => core.getInput(name)
    // Masked before the inputs are even checked, so no early error can print a key.
    secrets.registerAll(secretsInInputs(read, process.env))
    const config = parseConfig(read, process.env)
    const earlierVersionMap = await readEarlierVersionMap(config)
    const records = gitHubRecorder(config, process.env, actionsLogger)
    await records?.beforePromotion()
    let report: RunReport
    try {
      report = await promote(config, { logger: actionsLogger, secrets, tempDir: process.env.RUNNER_TEMP || os.tmpdir() }, earlierVersionMap)
    } catch (error) {
      // No deployment may stay "in progress" when the run stops early.
      await records?.abandon(secrets.redact(error instanceof Error ? error.message : String(error)))
      throw error
    }
    await records?.afterPromotion(report)
    setOutputs(report)
    for (const result of report.results.filter(result => result.error)) {
      core.error(result.error!, { title: `${result.algorithm} → ${result.destination}: ${result.failedStep} failed` })
    }
    await writeJobSummary(config, report).catch((error: Error) =>
      core.warning(`The job summary could not be written (${error.message}); the outputs hold the same results.`)
    )
    if (report.failed > 0)
      core.setFailed(`${report.failed} of ${report.results.length} promotions failed; see the errors above and the job summary.`)
  } catch (error) {
    if (error instanceof InputError) {
      for (const problem of error.problems) core.error(secrets.redact(problem.message), { title: `Input '${problem.input}'` })
      core.setFailed(`The inputs are not usable, so nothing was changed:\n${secrets.redact(error.message)}`)
    } else {
      // The message is written for users; the stack helps a maintainer, so it goes to the debug log.
      if (error instanceof Error && error.stack) core.debug(secrets.redact(error.stack))
      core.setFailed(secrets.redact(error instanceof Error ? error.message : String(error)))
    }
  }
}
