import { collectionsOptions } from './collections.js'
import { destinationAccounts, refuseSameAlgorithmTwice, sourceAccount } from './accounts.js'
import { accountsConfig, createOwnerOptions } from './admin-inputs.js'
import { algorithmSelection } from './algorithm-selection.js'
import type { AccountsConfig, PromotionConfig } from '../core/config.js'
import { refuseUnverifiedTls } from './environment-checks.js'
import { InputError } from '../core/input-error.js'
import { InputContext, type Environment, type InputReader } from './reader.js'
import { commitMessageTemplate, githubRecords, retryPolicy, runMode, sourceVersion, sourceVersions } from './run-options.js'
import { dependencyMode, metadataMode, missingSecrets, smokeTest, versionTypeChoice } from './runtime-inputs.js'
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
  const versions = sourceVersions(inputs)
  const config: PromotionConfig = {
    source,
    sourceVersion: sourceVersion(inputs),
    ...(versions ? { sourceVersions: versions } : {}),
    destinations,
    reportPerDestination: inputs.given('destinations'),
    ...algorithmSelection(inputs),
    settingsOverride: settingsOverride(inputs),
    publish: inputs.boolean('publish'),
    versionType: versionTypeChoice(inputs),
    releaseNotes: inputs.optional('release-notes'),
    metadata: metadataMode(inputs),
    missingSecrets: missingSecrets(inputs),
    dependencies: dependencyMode(inputs),
    smokeTest: smokeTest(inputs),
    buildTimeoutMs: inputs.positiveNumber('build-timeout') * 1000,
    versionMapFile: inputs.optional('version-map-file'),
    dryRun: inputs.boolean('dry-run') || mode === 'plan',
    mode,
    commitMessage: commitMessageTemplate(inputs),
    collections: collectionsOptions(inputs),
    concurrency: Math.floor(inputs.positiveNumber('concurrency')),
    github: githubRecords(inputs),
    retry: retryPolicy(inputs),
    ...createOwnerOptions(inputs, source, destinations)
  }
  refuseSameAlgorithmTwice(inputs, source, destinations)
  refuseUnverifiedTls(inputs)
  if (inputs.problems.length > 0) throw new InputError(inputs.problems)
  return config
}

/** The configuration of `mode: accounts`, which needs admin keys and no algorithm inputs. */
export function parseAccountsConfig(read: InputReader, env: Environment): AccountsConfig {
  const inputs = new InputContext(read, env)
  const config = accountsConfig(inputs)
  refuseUnverifiedTls(inputs)
  if (inputs.problems.length > 0) throw new InputError(inputs.problems)
  return config
}
