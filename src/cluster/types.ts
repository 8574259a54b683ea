/** The parts of the API's objects this tool reads. Everything else is passed through untouched. */
export interface Algorithm {
  /** The algorithm's UUID on its cluster: how the secret store addresses it. */
  readonly id?: string
  readonly name: string
  readonly details?: Record<string, unknown>
  readonly settings?: Record<string, unknown>
  readonly version_info?: { readonly git_hash?: string; readonly semantic_version?: string }
}

export interface Version {
  readonly version_info: {
    readonly semantic_version?: string
    readonly git_hash: string
    readonly release_notes?: string
    readonly sample_input?: unknown
    readonly insights_enabled?: boolean
  }
  readonly settings?: Record<string, unknown>
}

/** What a publish carries besides its version type. */
export interface PublishDetails {
  readonly releaseNotes: string
  readonly sampleInput?: unknown
  readonly insightsEnabled?: boolean
  readonly callability?: string
}

export interface AlgorithmUpdate {
  readonly details?: Record<string, unknown>
  readonly settings?: Record<string, unknown>
}

/** The statuses the API documents; a cluster may send others (`queued`, say), which mean "not finished". */
export type BuildStatus = 'in-progress' | 'succeeded' | 'failed'

export const isFinishedBuild = (status: string): status is 'succeeded' | 'failed' => status === 'succeeded' || status === 'failed'

export interface Build {
  readonly build_id: string
  readonly status: BuildStatus | (string & {})
  readonly commit_sha: string
  readonly started_at?: string
  readonly finished_at?: string
}

export interface Page<T> {
  readonly marker?: string | null
  readonly next_link?: string | null
  readonly results: readonly T[]
}

export interface CreateAlgorithmBody {
  readonly name: string
  readonly details: Record<string, unknown>
  readonly settings: Record<string, unknown>
}
