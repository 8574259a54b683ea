import semver from 'semver'
import type { GitHubRecordsConfig, RunMode, SourceVersion, SourceVersionSet } from '../core/config.js'
import { defaultOf } from './defaults.js'
import { type InputContext, quoteUnlessSecretLike } from './reader.js'
import { COMMIT_PATTERN, SEMVER_PATTERN } from '../core/rules.js'
import { COMMIT_MESSAGE_PLACEHOLDERS } from '../core/rules.js'
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from '../util/retry.js'

export function sourceVersion(inputs: InputContext): SourceVersion {
  const value = inputs.read('source-version')
  if (!value || value === 'latest') return { kind: 'latest' }
  if (SEMVER_PATTERN.test(value)) return { kind: 'semver', version: value }
  if (COMMIT_PATTERN.test(value.toLowerCase())) return { kind: 'commit', sha: value.toLowerCase() }
  inputs.problem(
    'source-version',
    `${quoteUnlessSecretLike(value)} is neither a published version such as '1.2.0' nor a commit hash; leave it empty for the latest commit`
  )
  return { kind: 'latest' }
}

/**
 * `source-versions`: `all`, or a semver range (`>=1.0.0`, `1.x`, `^1.2.0`) as
 * the semver package reads it. One version (`source-version`) and a set of
 * them cannot both be asked for: refused here, before any request.
 */
export function sourceVersions(inputs: InputContext): SourceVersionSet | undefined {
  const value = inputs.read('source-versions')
  if (!value) return undefined
  if (inputs.given('source-version')) {
    inputs.problem(
      'source-versions',
      'cannot be combined with source-version: give source-version to promote one version, or source-versions to replay several, not both'
    )
  }
  if (!inputs.boolean('publish')) {
    inputs.problem(
      'source-versions',
      'publishes each selected version, so it needs publish: true (a mode: plan or dry-run run lists them and publishes nothing); leave source-versions out to promote the code alone'
    )
  }
  if (value.toLowerCase() === 'all') return { kind: 'all' }
  const range = semver.validRange(value)
  if (range === null) {
    inputs.problem(
      'source-versions',
      `${quoteUnlessSecretLike(value)} is neither 'all' nor a semver range: use e.g. 'all', '>=1.0.0', '1.x' or '^1.2.0'`
    )
    return undefined
  }
  return { kind: 'range', range: value }
}

export function runMode(inputs: InputContext): RunMode {
  return inputs.choice<RunMode>(
    'mode',
    ['promote', 'plan'],
    "is not a mode: use 'promote', 'plan' to only list what needs promoting (the 'matrix' output), or 'accounts' to copy users and organizations"
  )
}

/** `mode: accounts` reads other inputs than the promotion modes, so the front ends ask first. */
export function isAccountsMode(read: (name: string) => string): boolean {
  return read('mode') === 'accounts'
}

export function commitMessageTemplate(inputs: InputContext): string {
  const template = inputs.read('commit-message')
  for (const [, placeholder] of template.matchAll(/\{([^{}]*)\}/g)) {
    if (!(COMMIT_MESSAGE_PLACEHOLDERS as readonly string[]).includes(placeholder)) {
      inputs.problem(
        'commit-message',
        `has an unknown placeholder {${placeholder}}: use ${COMMIT_MESSAGE_PLACEHOLDERS.map(p => `{${p}}`).join(', ')}`
      )
    }
  }
  return template
}

export function githubRecords(inputs: InputContext): GitHubRecordsConfig | undefined {
  const token = inputs.read('github-token')
  const environment = inputs.optional('environment')
  if (!token) {
    if (environment)
      inputs.problem(
        'environment',
        'only applies with github-token: pass github-token: ${{ github.token }} to record deployments, or remove environment'
      )
    return undefined
  }
  return { token, environment }
}

/** One API request never needs more than ten minutes; a git transfer may take 60 times request-timeout. */
const MAX_REQUEST_TIMEOUT_SECONDS = 600
/** Waits double from here, so a first wait of five minutes is already more than a run can use. */
const MAX_RETRY_DELAY_SECONDS = 300

export function retryPolicy(inputs: InputContext): RetryPolicy {
  return {
    ...DEFAULT_RETRY_POLICY,
    maxAttempts: Math.floor(inputs.positiveNumber('max-attempts')),
    baseDelayMs: milliseconds(inputs, 'retry-delay', MAX_RETRY_DELAY_SECONDS),
    attemptTimeoutMs: milliseconds(inputs, 'request-timeout', MAX_REQUEST_TIMEOUT_SECONDS)
  }
}

/**
 * A positive number of seconds, returned in milliseconds: whole ones (timers
 * count in them, and refuse fractions) and at most `maxSeconds` (a timer
 * overflows past 24 days, and fires at once).
 */
function milliseconds(inputs: InputContext, name: string, maxSeconds: number): number {
  const seconds = inputs.positiveNumber(name)
  const fallback = Number(defaultOf(name)) * 1000
  const ms = seconds * 1000
  if (Math.abs(ms - Math.round(ms)) > 1e-6) {
    inputs.problem(
      name,
      `${quoteUnlessSecretLike(inputs.read(name))} is not a whole number of milliseconds: use at most three decimals, e.g. '0.25'`
    )
    return fallback
  }
  if (seconds > maxSeconds) {
    inputs.problem(name, `${quoteUnlessSecretLike(inputs.read(name))} seconds is too long: use at most ${maxSeconds}`)
    return fallback
  }
  return Math.round(ms)
}
