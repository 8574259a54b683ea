import type { GitHubRecordsConfig, RunMode, SourceVersion, VersionType } from './config.js'
import { type InputContext, quoteUnlessSecretLike } from './reader.js'
import { ALGORITHM_PATTERN, COMMIT_PATTERN, SEMVER_PATTERN, VERSION_TYPES } from './rules.js'
import { COMMIT_MESSAGE_PLACEHOLDERS } from '../promotion/commit-message.js'
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from '../util/retry.js'

/** `algorithms`: names as in the algorithms' URLs, each once. */
export function algorithmNames(inputs: InputContext): string[] {
  const raw = inputs.required('algorithms', "name one or more algorithms, one per line or separated by commas, e.g. 'sentiment, summarize'")
  const names = inputs.list('algorithms')
  if (raw && names.length === 0) inputs.problem('algorithms', "lists no algorithm names: name one or more, e.g. 'sentiment, summarize'")
  const seen = new Set<string>()
  for (const name of names) {
    if (!ALGORITHM_PATTERN.test(name)) {
      inputs.problem(
        'algorithms',
        `${quoteUnlessSecretLike(name)} is not a valid algorithm name: use a letter followed by letters, digits or underscores (the name in the algorithm's URL, not its display name)`
      )
    } else if (seen.has(name)) {
      inputs.problem('algorithms', `${quoteUnlessSecretLike(name)} is listed twice: list each algorithm once`)
    }
    seen.add(name)
  }
  return names
}

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
    "is not a mode: use 'promote', or 'plan' to only list what needs promoting (the 'matrix' output)"
  )
}

export function versionType(inputs: InputContext): VersionType {
  return inputs.choice<VersionType>('version-type', VERSION_TYPES, `is not a version type: use ${VERSION_TYPES.join(', ')}`)
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
