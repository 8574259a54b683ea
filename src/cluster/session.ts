import { AlgorithmiaApi } from './api.js'
import { ClusterHttp } from './http.js'
import { RuntimeApi } from './runtime-api.js'
import type { ClusterAccount } from '../core/config.js'
import type { Logger } from '../util/log.js'
import type { RetryPolicy } from '../util/retry.js'

/** One cluster as a run sees it: the account to act as and an API client for it. */
export interface ClusterSession {
  readonly account: ClusterAccount
  readonly api: AlgorithmiaApi
  /** Environments, secret names and algorithm calls. */
  readonly runtime: RuntimeApi
}

/** What a session takes from the run's configuration: how requests retry, and how many go out side by side. */
export interface SessionOptions {
  readonly retry: RetryPolicy
  readonly concurrency: number
}

export function openSession(
  account: ClusterAccount,
  options: SessionOptions,
  logger: Logger,
  redact: (text: string) => string
): ClusterSession {
  const http = clusterHttp(account, options.retry, logger, redact)
  const label = account.cluster.label
  return { account, api: new AlgorithmiaApi(label, http), runtime: new RuntimeApi(label, http, options.concurrency) }
}

/** The API transport for one account: its cluster's address, its key, the run's retries. */
export function clusterHttp(account: ClusterAccount, retry: RetryPolicy, logger: Logger, redact: (text: string) => string): ClusterHttp {
  return new ClusterHttp({ cluster: account.cluster.label, apiUrl: account.cluster.apiUrl, apiKey: account.apiKey, retry, logger, redact })
}
