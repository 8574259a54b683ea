import { AdminApi } from '../cluster/admin-api.js'
import { ClusterHttp } from '../cluster/http.js'
import type { AccountsConfig, AdminAccess } from '../core/config.js'
import type { Logger } from '../util/log.js'
import { copyAccounts } from './copy.js'
import type { AccountsReport } from './report.js'
import { readSourceAccounts } from './selection.js'
import { describeOrganization, describeUser, followUps } from './summary-text.js'

export interface AccountsDependencies {
  readonly logger: Logger
  readonly redact: (text: string) => string
}

/**
 * `mode: accounts`: copies users, organizations and memberships from the
 * source to the destination with admin keys. Reading the source comes first
 * and any error there stops the run before a write.
 */
export async function runAccounts(config: AccountsConfig, deps: AccountsDependencies): Promise<AccountsReport> {
  const source = adminApi(config.source, config, deps)
  const destination = adminApi(config.destination, config, deps)
  const accounts = await deps.logger.group(`Reading accounts on ${source.cluster}`, () => readSourceAccounts(source, config.accounts))
  const report = await deps.logger.group(`${config.dryRun ? 'Planning accounts' : 'Copying accounts'} to ${destination.cluster}`, () =>
    copyAccounts(accounts, destination, source.cluster, { dryRun: config.dryRun, logger: deps.logger })
  )
  for (const user of report.users) deps.logger.info(describeUser(user))
  for (const org of report.organizations) deps.logger.info(describeOrganization(org))
  for (const line of followUps(report)) deps.logger.info(line)
  return report
}

export function adminApi(access: AdminAccess, config: Pick<AccountsConfig, 'retry'>, deps: AccountsDependencies): AdminApi {
  const http = new ClusterHttp({
    cluster: access.cluster.label,
    apiUrl: access.cluster.apiUrl,
    apiKey: access.adminKey,
    retry: config.retry,
    logger: deps.logger,
    redact: deps.redact
  })
  return new AdminApi(access.cluster.label, http)
}
