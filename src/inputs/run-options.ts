import type { GitHubRecordsConfig, RunMode, SourceVersion } from './config.js'
import { type InputContext, quoteUnlessSecretLike } from './reader.js'
import { COMMIT_PATTERN, SEMVER_PATTERN } from './rules.js'
import { COMMIT_MESSAGE_PLACEHOLDERS } from '../promotion/commit-message.js'
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

export function retryPolicy(inputs: InputContext): RetryPolicy {
  return {
    ...DEFAULT_RETRY_POLICY,
    maxAttempts: Math.floor(inputs.positiveNumber('max-attempts')),
    baseDelayMs: inputs.positiveNumber('retry-delay') * 1000,
    attemptTimeoutMs: inputs.positiveNumber('request-timeout') * 1000
  }
}
