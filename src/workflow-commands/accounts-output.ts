import * as core from '@actions/core'
import type { AccountsReport } from '../accounts/report.js'
import { differenceText, followUps, roleText } from '../accounts/summary-text.js'
import { escapeHtml } from '../report/html.js'

/** `mode: accounts`: the `accounts` output, annotations for failures, the job summary, and the run's status. */
export async function presentAccounts(report: AccountsReport): Promise<void> {
  core.setOutput('accounts', JSON.stringify(report))
  core.setOutput('changed', String(!report.dryRun && createdAnything(report)))
  for (const failure of failures(report)) core.error(failure.message, { title: failure.title })
  await writeAccountsSummary(report).catch((error: Error) =>
    core.warning(`The job summary could not be written (${error.message}); the accounts output holds the same results.`)
  )
  if (report.failed > 0)
    core.setFailed(
      `${report.failed} account${report.failed === 1 ? '' : 's'} could not be copied; see the errors above and the job summary.`
    )
}

function createdAnything(report: AccountsReport): boolean {
  return (
    report.users.some(user => user.status === 'created') ||
    report.organizations.some(org => org.status === 'created' || org.members.some(member => member.status === 'added'))
  )
}

function failures(report: AccountsReport): { title: string; message: string }[] {
  const found: { title: string; message: string }[] = []
  for (const user of report.users) if (user.error) found.push({ title: `user ${user.username} not copied`, message: user.error })
  for (const org of report.organizations) {
    if (org.error) found.push({ title: `organization ${org.name} not copied`, message: org.error })
    for (const member of org.members) {
      if (member.error) found.push({ title: `${member.username} not added to ${org.name}`, message: member.error })
    }
  }
  return found
}

async function writeAccountsSummary(report: AccountsReport): Promise<void> {
  const cell = (text: string): string => escapeHtml(text)
  const summary = core.summary
    .addHeading(report.dryRun ? 'Algorithmia accounts plan (dry run)' : 'Algorithmia accounts', 2)
    .addRaw(`From <code>${cell(report.source)}</code> to <code>${cell(report.destination)}</code>.`, true)
  if (report.users.length > 0) {
    summary
      .addHeading('Users', 3)
      .addTable([
        ['user', 'status', 'notes'].map(data => ({ data, header: true })),
        ...report.users.map(user => [user.username, user.status, `${user.error ?? ''}${differenceText(user.differences)}`.trim()].map(cell))
      ])
  }
  if (report.organizations.length > 0) {
    summary
      .addHeading('Organizations', 3)
      .addTable([
        ['organization', 'type', 'status', 'members (role, status)', 'notes'].map(data => ({ data, header: true })),
        ...report.organizations.map(org =>
          [
            org.name,
            org.type,
            org.status,
            org.members.map(member => `${member.username} (${roleText(member)}, ${member.status})`).join(', '),
            [
              org.error ?? '',
              differenceText(org.differences),
              org.extraMembers.length ? `only at the destination: ${org.extraMembers.join(', ')}` : ''
            ]
              .filter(Boolean)
              .join(' ')
              .trim()
          ].map(cell)
        )
      ])
  }
  const next = followUps(report)
  if (next.length > 0) summary.addHeading('What people must do next', 3).addList(next.map(cell))
  await summary.write()
}
