/** What `mode: accounts` did (or, in a dry run, would do) to each account. */

export type AccountStatus = 'created' | 'exists' | 'would-create' | 'failed'
export type MemberStatus = 'added' | 'already-member' | 'would-add' | 'failed'

/** A field whose destination value differs from the source's; reported, never overwritten. */
export interface AccountDifference {
  readonly field: string
  readonly source: string
  readonly destination: string
}

export interface UserOutcome {
  readonly username: string
  readonly status: AccountStatus
  readonly differences: readonly AccountDifference[]
  /** Why the user could not be created, naming the conflict. */
  readonly error?: string
}

export interface MemberOutcome {
  readonly username: string
  /** The member's role in the source organization. */
  readonly sourceRole: string
  /** The member's role in the destination organization; empty when not a member. */
  readonly destinationRole: string
  readonly status: MemberStatus
  readonly error?: string
}

export interface OrganizationOutcome {
  readonly name: string
  /** The organization type, by name (types have different ids on every cluster). */
  readonly type: string
  readonly status: AccountStatus
  readonly differences: readonly AccountDifference[]
  readonly members: readonly MemberOutcome[]
  /** Destination members the source organization does not have; left in place. */
  readonly extraMembers: readonly string[]
  readonly error?: string
}

export interface AccountsReport {
  readonly source: string
  readonly destination: string
  readonly dryRun: boolean
  readonly users: readonly UserOutcome[]
  readonly organizations: readonly OrganizationOutcome[]
  /** Users created (or to be created): they sign in through the destination's password reset or single sign-on. */
  readonly mustSignIn: readonly string[]
  /** Accounts whose API keys their teams must issue again on the destination: keys are never copied. */
  readonly keysToReissue: readonly string[]
  readonly failed: number
}

export function countFailures(users: readonly UserOutcome[], organizations: readonly OrganizationOutcome[]): number {
  const failedMembers = organizations.flatMap(org => org.members).filter(member => member.status === 'failed').length
  return users.filter(user => user.status === 'failed').length + organizations.filter(org => org.status === 'failed').length + failedMembers
}
