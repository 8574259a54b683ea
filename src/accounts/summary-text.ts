import type { AccountDifference, AccountsReport, MemberOutcome, OrganizationOutcome, UserOutcome } from './report.js'

/** A line per account for logs and the command line; the job summary renders the same facts as tables. */
export function describeUser(user: UserOutcome): string {
  return `user ${user.username}: ${user.status}${differenceText(user.differences)}${user.error ? ` — ${user.error}` : ''}`
}

export function describeOrganization(org: OrganizationOutcome): string {
  const members = org.members.map(memberText).join(', ')
  const extra = org.extraMembers.length ? `; only at the destination: ${org.extraMembers.join(', ')}` : ''
  return `organization ${org.name} (type ${org.type || 'unknown'}): ${org.status}${differenceText(org.differences)}${
    org.error ? ` — ${org.error}` : ''
  }${members ? `; members: ${members}` : ''}${extra}`
}

export function memberText(member: MemberOutcome): string {
  return `${member.username} (${roleText(member)}, ${member.status})`
}

/** Roles the member PUT cannot grant are named, so an administrator grants them by hand. */
export function roleText(member: MemberOutcome): string {
  if (!member.destinationRole || member.destinationRole === member.sourceRole) return member.sourceRole
  return `${member.sourceRole} at the source, ${member.destinationRole} at the destination`
}

export function differenceText(differences: readonly AccountDifference[]): string {
  if (differences.length === 0) return ''
  return ` (differs: ${differences.map(d => `${d.field} '${d.source}' at the source, '${d.destination}' at the destination`).join('; ')})`
}

/** What people must do after the copy: accounts carry no passwords or keys across clusters. */
export function followUps(report: AccountsReport): string[] {
  const lines: string[] = []
  const verb = report.dryRun ? 'would need to' : 'must'
  if (report.mustSignIn.length > 0) {
    lines.push(
      `Users created without a password, who ${verb} sign in through ${report.destination}'s password reset or single sign-on: ${report.mustSignIn.join(', ')}.`
    )
  }
  if (report.keysToReissue.length > 0) {
    lines.push(
      `API keys are never copied: the teams of ${report.keysToReissue.join(', ')} ${verb} issue new keys on ${report.destination} and update the secrets that hold them.`
    )
  }
  const roles = report.organizations.flatMap(org =>
    org.members
      .filter(m => m.destinationRole && m.destinationRole !== m.sourceRole)
      .map(m => `${m.username} (${m.sourceRole} of ${org.name})`)
  )
  if (roles.length > 0)
    lines.push(`Roles to grant by hand on ${report.destination} (members are added as plain members): ${roles.join(', ')}.`)
  return lines
}
