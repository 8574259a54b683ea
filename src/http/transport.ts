import fetch, { type RequestInit, type Response } from 'node-fetch'
import { agentFor } from './agents.js'
import { describeCertificateFailure, isCertificateFailure } from './certificate.js'
import { proxyFor, proxyLabel, proxyVariableFor } from './proxy.js'

export type TransportFailureKind = 'certificate' | 'proxy' | 'network'

/** A request that got no HTTP answer, worded for the person who must fix it. */
export class TransportError extends Error {
  constructor(
    readonly kind: TransportFailureKind,
    message: string,
    /** The system's own code (ECONNREFUSED, SELF_SIGNED_CERT_IN_CHAIN, ...), when there is one. */
    readonly code: string | undefined,
    options?: { cause?: unknown }
  ) {
    super(message, options)
    this.name = 'TransportError'
  }
}

/**
 * The one HTTP transport of the tool, for the cluster API and for GitHub
 * (Octokit's `request.fetch`): node-fetch over agents that honour the proxy
 * variables and the runner's CA certificates (see agents.ts). An abort is
 * passed on as it is, so callers can tell their own time limit from a failure.
 */
export async function transportFetch(url: string | URL, init: RequestInit = {}): Promise<Response> {
  const target = new URL(url.toString())
  try {
    return await fetch(target, { ...init, agent: agentFor(target) })
  } catch (error) {
    if ((error as Error).name === 'AbortError') throw error
    throw await describeTransportFailure(error, target)
  }
}

async function describeTransportFailure(error: unknown, target: URL): Promise<TransportError> {
  const code = systemCode(error)
  const detail = code ?? (error as Error).message
  if (code !== undefined && isCertificateFailure(code)) {
    return new TransportError('certificate', await describeCertificateFailure(error as Error, code, target), code, { cause: error })
  }
  const proxy = proxyFor(target)
  if (proxy) {
    return new TransportError(
      'proxy',
      `the proxy ${proxyLabel(proxy)} (from ${proxyVariableFor(target)}) failed to carry the request to ${target.host} (${detail}). Check that the proxy is running and may reach ${target.host}, or list ${target.hostname} in NO_PROXY if it must be reached directly.`,
      code,
      { cause: error }
    )
  }
  return new TransportError('network', detail, code, { cause: error })
}

/** node-fetch's FetchError carries the system error's code; TLS failures carry OpenSSL's. */
function systemCode(error: unknown): string | undefined {
  const own = (error as { code?: unknown }).code
  if (typeof own === 'string' && own !== 'ERR_FETCH_FAILED') return own
  const cause = (error as { cause?: { code?: unknown } }).cause?.code
  return typeof cause === 'string' ? cause : undefined
}

/** Advice for an HTTP answer that may be the proxy's own rather than the cluster's. */
export function proxyAnswerNote(url: string | URL, status: number): string {
  const proxy = proxyFor(url)
  if (!proxy) return ''
  if (status === 407) return ` (the proxy ${proxyLabel(proxy)} wants credentials: put them in ${proxyVariableFor(url)})`
  if (status === 502 || status === 503 || status === 504) {
    return ` (through the proxy ${proxyLabel(proxy)}: if the proxy could not reach the cluster, check the proxy, or list the cluster in NO_PROXY)`
  }
  return ''
}
