import http from 'node:http'
import https from 'node:https'
import { HttpProxyAgent } from 'http-proxy-agent'
import { HttpsProxyAgent } from 'https-proxy-agent'
import { proxyFor } from './proxy.js'

/**
 * One agent per way out (direct, or through a given proxy), kept for the
 * process: keep-alive lets every request to a cluster reuse its connection
 * (and its TLS session) instead of paying a handshake each time. Certificates
 * need nothing here: Node adds NODE_EXTRA_CA_CERTS to its default trust store
 * at start-up, and every agent below, direct or tunnelled, verifies against it.
 */
const agents = new Map<string, http.Agent>()

const KEEP_ALIVE = { keepAlive: true, keepAliveMsecs: 1000 } as const

export function agentFor(url: URL): http.Agent {
  const proxy = proxyFor(url)
  const key = `${url.protocol}${proxy ? ` via ${proxy.href}` : ''}`
  let agent = agents.get(key)
  if (!agent) {
    agent = createAgent(url.protocol === 'https:', proxy)
    agents.set(key, agent)
  }
  return agent
}

function createAgent(secure: boolean, proxy: URL | undefined): http.Agent {
  if (!proxy) return secure ? new https.Agent(KEEP_ALIVE) : new http.Agent(KEEP_ALIVE)
  // https: a CONNECT tunnel, TLS end to end with the cluster; http: the proxy forwards the request.
  return secure ? new HttpsProxyAgent(proxy, KEEP_ALIVE) : new HttpProxyAgent(proxy, KEEP_ALIVE)
}
