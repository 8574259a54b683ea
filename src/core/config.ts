import type { RetryPolicy } from '../util/retry.js'

/** Where a cluster's API and git hosting are reached. */
export interface ClusterAddress {
  /** How messages name the cluster: its domain, or the API URL's host. */
  readonly label: string
  /** API base without `/v1`. */
  readonly apiUrl: string
  /** Git base; repositories live at `<gitUrl>/git/<owner>/<name>.git`. */
  readonly gitUrl: string
}

/** A cluster together with the key that acts on it and the owner of the algorithms. */
export interface ClusterAccount {
  readonly cluster: ClusterAddress
  readonly apiKey: string
  /** The user or organization that owns the key; git's username. */
  readonly keyOwner: string
  /** The user or organization that owns the algorithms. */
  readonly algoOwner: string
  /** An admin key for this cluster (`dest-admin-api-key`), used only to create a missing owner. */
  readonly adminKey?: string
  /** The input that holds one of this account's fields (`dest-api-key`, `destinations[1].api-key`), for messages. */
  readonly inputName: (
    field: 'cluster' | 'api-url' | 'git-url' | 'api-key' | 'api-key-owner' | 'algo-owner' | 'admin-api-key-env'
  ) => string
}

export type SourceVersion =
  { readonly kind: 'latest' } | { readonly kind: 'semver'; readonly version: string } | { readonly kind: 'commit'; readonly sha: string }

/** `source-versions`: every published source version, or those a semver range (`>=1.0.0`, `1.x`) selects. */
export type SourceVersionSet = { readonly kind: 'all' } | { readonly kind: 'range'; readonly range: string }

export type VersionType = 'major' | 'minor' | 'revision'

/** `match`: the bump that reaches the source's version number. */
export type VersionTypeChoice = VersionType | 'match'

/** `create`: metadata is copied when the destination is created; `sync`: an existing destination's is updated too. */
export type MetadataMode = 'create' | 'sync'

/** What a destination missing a source secret does to publishing. */
export type MissingSecrets = 'fail' | 'warn'

/**
 * What a run does about the algorithms the promoted code calls: `warn` about a call the destination
 * cannot answer, `require` it (fail before publishing), `promote` the source owner's callees first, or `off`.
 */
export type DependencyMode = 'warn' | 'require' | 'promote' | 'off'

export interface SmokeTestCase {
  readonly input: unknown
  /** Without it, any answer that is not an error passes. */
  readonly expected?: unknown
}

/** Calls made to the destination build before it is published. */
export type SmokeTest = { readonly kind: 'cases'; readonly cases: readonly SmokeTestCase[] } | { readonly kind: 'sample-input' }

/** `promote` does the work; `plan` only finds what needs promoting (for a matrix of jobs). */
export type RunMode = 'promote' | 'plan'

/** A cluster reached with an admin key: users, organizations and memberships only. */
export interface AdminAccess {
  readonly cluster: ClusterAddress
  readonly adminKey: string
}

/** The `accounts` input: user and organization names, or every account of the source. */
export type AccountSelection = { readonly kind: 'all' } | { readonly kind: 'names'; readonly names: readonly string[] }

/** `mode: accounts`: copy users, organizations and memberships between clusters. */
export interface AccountsConfig {
  readonly mode: 'accounts'
  readonly source: AdminAccess
  readonly destination: AdminAccess
  readonly accounts: AccountSelection
  /** List what would be created; write nothing. */
  readonly dryRun: boolean
  readonly retry: RetryPolicy
}

/** Settings and details to apply over the source's when a destination algorithm is created. */
export interface SettingsOverride {
  readonly settings: Readonly<Record<string, unknown>>
  readonly details: Readonly<Record<string, unknown>>
}

export interface PromotionConfig {
  readonly source: ClusterAccount
  readonly sourceVersion: SourceVersion
  /** Set by `source-versions`: replay these published versions, oldest first, instead of promoting one. */
  readonly sourceVersions?: SourceVersionSet
  readonly destinations: readonly ClusterAccount[]
  /** The `destinations` input was used: results and the version map are keyed by destination, whatever a filter leaves. */
  readonly reportPerDestination: boolean
  /** The algorithms to promote: names, once `algorithmSelection` is expanded against the source owner's list. */
  readonly algorithms: readonly string[]
  readonly algorithmSelection: AlgorithmSelection
  readonly settingsOverride: SettingsOverride
  readonly publish: boolean
  readonly versionType: VersionTypeChoice
  readonly releaseNotes?: string
  readonly metadata: MetadataMode
  readonly missingSecrets: MissingSecrets
  readonly dependencies: DependencyMode
  readonly smokeTest?: SmokeTest
  readonly buildTimeoutMs: number
  readonly versionMapFile?: string
  /** No API writes and no push; true in plan mode. */
  readonly dryRun: boolean
  readonly mode: RunMode
  /** The `commit-message` template (its default when not given). */
  readonly commitMessage: string
  /** Hosted data collections to promote with the algorithms. */
  readonly collections: CollectionsOptions
  readonly concurrency: number
  /** Set when `github-token` is given: record deployments and plan comments on GitHub. */
  readonly github?: GitHubRecordsConfig
  readonly retry: RetryPolicy
  /** Create a missing destination owner organization, copied from the source owner, before its algorithms. */
  readonly createOwner: boolean
  /** The source's admin access (`source-admin-api-key`), to read the owner organization that `createOwner` copies. */
  readonly sourceAdmin?: AdminAccess
}

export interface GitHubRecordsConfig {
  readonly token: string
  /** GitHub environment for the deployments; default: each destination's label. */
  readonly environment?: string
}

/** What the `algorithms` and `exclude-algorithms` inputs select, before the source owner's list is known. */
export interface AlgorithmSelection {
  /** Names and patterns to promote, in the order given. */
  readonly include: readonly string[]
  /** Names and patterns to leave out. */
  readonly exclude: readonly string[]
}

export type CollectionsSelection =
  { readonly kind: 'none' } | { readonly kind: 'named'; readonly names: readonly string[] } | { readonly kind: 'auto' }

export interface CollectionsOptions {
  readonly selection: CollectionsSelection
  /** Delete destination files the source collection does not have. */
  readonly prune: boolean
}
