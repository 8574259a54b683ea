/** A git command that failed, with the remote it talked to and what git said (scrubbed). */
export class GitError extends Error {
  constructor(
    /** What we were doing: 'fetch', 'push', 'ls-remote', ... */
    readonly operation: string,
    /** Which repository, as `<cluster> <owner>/<name>`; never a URL with credentials. */
    readonly repository: string,
    readonly stderr: string,
    readonly exitCode: number
  ) {
    super(`git ${operation} ${repository} failed: ${summarize(stderr)}`)
    this.name = 'GitError'
  }

  /** HTTP status git reported, if any. */
  get httpStatus(): number | undefined {
    const match = /returned error: (\d{3})/.exec(this.stderr)
    return match ? Number(match[1]) : undefined
  }

  get transient(): boolean {
    const status = this.httpStatus
    if (status !== undefined) return status >= 500 || status === 429
    return /Connection reset|RPC failed|early EOF|remote end hung up|timed out|Operation too slow|Empty reply|Failed to connect|Could not resolve host|transfer closed/i.test(this.stderr)
  }

  /** The remote refused a push because its branch moved on: someone else pushed first. */
  get rejectedAsStale(): boolean {
    return /\[rejected\]|non-fast-forward|fetch first|failed to update ref|cannot lock ref|stale info/i.test(this.stderr)
  }
}

function summarize(stderr: string): string {
  const lines = stderr
    .split('\n')
    .map(line => line.trim())
    .filter(line => line && !/^(hint:|remote: Counting|remote: Compressing|remote: Total|Receiving|Resolving)/.test(line))
  return lines.slice(-3).join(' | ') || 'no message'
}
