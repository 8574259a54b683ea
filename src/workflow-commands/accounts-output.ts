import * as core from '@actions/core'
import type { AccountsReport } from '../accounts/report.js'
import { differenceText, followUps, roleText } from '../accounts/summary-text.js'
import { escapeHtml } from '../report/html.js'
import { SUMMARY_BUDGET_BYTES, shortened } from './job-summary.js'
import { RESULTS_BUDGET_BYTES } from './outputs.js'

/** `mode: accounts`: the `accounts` output, annotations for failures, the job summary, and the run's status. */
export async function presentAccounts(report: AccountsReport): Promise<void> {
  core.setOutput('accounts', accountsWithinLimit(report))
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

/**
 * The report as JSON within GitHub's 1 MB output limit: the full report when
 * it fits; else each account's name, status and shortened error; else the
 * leading accounts of that, with a warning (the log names every account).
 */
export function accountsWithinLimit(report: AccountsReport): string {
  const full = JSON.stringify(report)
  if (Buffer.byteLength(full) <= RESULTS_BUDGET_BYTES) return full
  const users = report.users.map(({ username, status, error }) => ({
    username,
    status,
    ...(error ? { error: shortened(error, 200) } : {})
  }))
  const organizations = report.organizations.map(({ name, type, status, error, members }) => ({
    name,
    type,
    status,
    ...(error ? { error: shortened(error, 200) } : {}),
    members: members.map(({ username, status: memberStatus }) => ({ username, status: memberStatus }))
  }))
  const compact = JSON.stringify({ ...report, users, organizations })
  if (Buffer.byteLength(compact) <= RESULTS_BUDGET_BYTES) return compact
  const share = Math.floor(RESULTS_BUDGET_BYTES / 3)
  const kept = { users: leading(users, share), organizations: leading(organizations, share) }
  core.warning(
    `The accounts output holds ${kept.users.length} of ${users.length} users and ${kept.organizations.length} of ${organizations.length} organizations: GitHub keeps no output over 1 MB. The log names every account.`
  )
  return JSON.stringify({
    ...report,
    ...kept,
    mustSignIn: leading(report.mustSignIn, share / 4),
    keysToReissue: leading(report.keysToReissue, share / 4)
  })
}

function leading<T>(items: readonly T[], budgetBytes: number): T[] {
  const kept: T[] = []
  let size = 2
  for (const item of items) {
    size += Buffer.byteLength(JSON.stringify(item)) + 1
    if (size > budgetBytes) break
    kept.push(item)
  }
  return kept
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

/** Each table gets a share of the summary budget; rows past it are counted, not shown (the output and log have them). */
const TABLE_BUDGET_BYTES = Math.floor(SUMMARY_BUDGET_BYTES / 3)

async function writeAccountsSummary(report: AccountsReport): Promise<void> {
  const summary = core.summary
    .addHeading(report.dryRun ? 'Algorithmia accounts plan (dry run)' : 'Algorithmia accounts', 2)
    .addRaw(`From <code>${escapeHtml(report.source)}</code> to <code>${escapeHtml(report.destination)}</code>.`, true)
  const userRows = report.users.map(user => [user.username, user.status, `${user.error ?? ''}${differenceText(user.differences)}`.trim()])
  addTable(summary, 'Users', ['user', 'status', 'notes'], userRows)
  const orgRows = report.organizations.map(org => [
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
  ])
  addTable(summary, 'Organizations', ['organization', 'type', 'status', 'members (role, status)', 'notes'], orgRows)
  const next = followUps(report).map(line => shortened(line, 20_000))
  if (next.length > 0) summary.addHeading('What people must do next', 3).addList(next.map(escapeHtml))
  await summary.write()
}

function addTable(summary: typeof core.summary, title: string, columns: string[], rows: string[][]): void {
  if (rows.length === 0) return
  const shown: string[][] = []
  let left = TABLE_BUDGET_BYTES
  for (const row of rows) {
    const cells = row.map(text => escapeHtml(shortened(text, 2000)))
    left -= Buffer.byteLength(cells.join('')) + 30 * cells.length
    if (left < 0) break
    shown.push(cells)
  }
  summary.addHeading(title, 3).addTable([columns.map(data => ({ data, header: true })), ...shown])
  if (shown.length < rows.length) {
    summary.addRaw(
      `<p><i>${rows.length - shown.length} more are in the accounts output and the log: GitHub drops a job summary over 1 MiB.</i></p>`,
      true
    )
  }
}
