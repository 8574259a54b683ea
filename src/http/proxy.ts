import { getProxyForUrl } from 'proxy-from-env'

/**
 * The forward proxy a request to `url` goes through, or undefined for a direct
 * connection. proxy-from-env reads the variables the way curl (and so git)
 * does: `https_proxy`/`HTTPS_PROXY` for https URLs, `http_proxy`/`HTTP_PROXY`
 * for http, lower case first, and `no_proxy`/`NO_PROXY` with host suffixes,
 * ports and `*`. Unlike @actions/http-client's helper it does not silently
 * bypass every 127.x address, so the API goes where git goes.
 */
export function proxyFor(url: string | URL): URL | undefined {
  const proxy = getProxyForUrl(url.toString())
  if (!proxy) return undefined
  try {
    return new URL(proxy.includes('://') ? proxy : `http://${proxy}`)
  } catch {
    return undefined
  }
}

/** The proxy as it may appear in a message: no user name or password. */
export function proxyLabel(proxy: URL): string {
  return `${proxy.protocol}//${proxy.host}`
}

/** Which variable set the proxy for this URL, to name it in advice. */
export function proxyVariableFor(url: string | URL): string {
  return new URL(url.toString()).protocol === 'https:' ? 'HTTPS_PROXY' : 'HTTP_PROXY'
}
