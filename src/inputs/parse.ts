import { destinationAccounts, refuseSameAlgorithmTwice, sourceAccount } from './accounts.js'
import type { PromotionConfig } from './config.js'
import { InputError } from './input-error.js'
import { InputContext, type Environment, type InputReader } from './reader.js'
import { algorithmNames, commitMessageTemplate, githubRecords, retryPolicy, runMode, sourceVersion, versionType } from './run-options.js'
import { settingsOverride } from './settings.js'

export type { Environment, InputReader } from './reader.js'

/**
 * Turns raw inputs into a typed configuration, or throws one InputError that
 * lists every problem. Reads only the inputs and the environment handed in
 * (for the variables that `destinations` entries name); never the network.
 */
export function parseConfig(read: InputReader, env: Environment): PromotionConfig {
  const inputs = new InputContext(read, env)
  const source = sourceAccount(inputs)
  const destinations = destinationAccounts(inputs)
  const mode = runMode(inputs)
  const config: PromotionConfig = {
    source,
    sourceVersion: sourceVersion(inputs),
    destinations,
    reportPerDestination: inputs.given('destinations'),
    algorithms: algorithmNames(inputs),
    settingsOverride: settingsOverride(inputs),
    publish: inputs.boolean('publish'),
    versionType: versionType(inputs),
    releaseNotes: inputs.optional('release-notes'),
    buildTimeoutMs: inputs.positiveNumber('build-timeout') * 1000,
    versionMapFile: inputs.optional('version-map-file'),
    dryRun: inputs.boolean('dry-run') || mode === 'plan',
    mode,
    commitMessage: commitMessageTemplate(inputs),
    concurrency: Math.floor(inputs.positiveNumber('concurrency')),
    github: githubRecords(inputs),
    retry: retryPolicy(inputs)
  }
  refuseSameAlgorithmTwice(inputs, source, destinations)
  if (inputs.problems.length > 0) throw new InputError(inputs.problems)
  return config
}
