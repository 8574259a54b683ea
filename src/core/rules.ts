/**
 * The shapes the Algorithmia API documents for names and settings. Kept in one
 * place so the action refuses bad input with the same rules the cluster applies.
 */
export const OWNER_PATTERN = /^[a-zA-Z][a-zA-Z0-9_]*$/
export const OWNER_MAX_LENGTH = 30
export const ALGORITHM_PATTERN = /^[a-zA-Z][a-zA-Z0-9_]*$/
export const SEMVER_PATTERN = /^\d+\.\d+\.\d+$/
export const COMMIT_PATTERN = /^[0-9a-f]{7,40}$/
export const FULL_COMMIT_PATTERN = /^[0-9a-f]{40}$/
/** A git object id as clusters and git servers send it: SHA-1, or SHA-256 for repositories that use it. */
export const OBJECT_ID_PATTERN = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/

export const VERSION_TYPES = ['major', 'minor', 'revision'] as const

/** Settings the API accepts when creating an algorithm, with their allowed values (`null`: free-form). */
export const SETTING_VALUES: Readonly<Record<string, readonly (string | boolean)[] | null>> = {
  language: ['java', 'javascript', 'python2-langpack', 'python3-1', 'r', 'ruby', 'rust', 'scala'],
  environment: ['cpu', 'gpu'],
  license: ['apl', 'apache2', 'gpl3', 'mit'],
  network_access: ['isolated', 'full'],
  source_visibility: ['open', 'closed'],
  algorithm_callability: ['public', 'private'],
  pipeline_enabled: [true, false],
  insights_enabled: [true, false],
  package_set: null,
  algorithm_environment: null,
  royalty_microcredits: null
}

export const DETAIL_KEYS = ['label', 'summary', 'tagline'] as const

export function describeOwnerRule(): string {
  return `a letter followed by letters, digits or underscores, at most ${OWNER_MAX_LENGTH} characters`
}

/** The placeholders a `commit-message` template may use. */
export const COMMIT_MESSAGE_PLACEHOLDERS = [
  'algorithm',
  'source-cluster',
  'source-owner',
  'source-version',
  'source-commit',
  'dest-cluster',
  'dest-owner'
] as const
