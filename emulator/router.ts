// A tiny method + path-template router for the REST API.
import type { IncomingMessage } from 'node:http'
import type { Exchange } from './http-util.js'

export interface ApiCall {
  req: IncomingMessage
  exchange: Exchange
  params: Record<string, string>
}

export interface ApiReply {
  status: number
  /** Omitted for bodiless replies such as 204. */
  body?: unknown
  /** Sent without a JSON wrapper (`output=raw`): a string as text, anything else as JSON. */
  raw?: boolean
}

export type ApiHandler = (call: ApiCall) => Promise<ApiReply> | ApiReply

interface Route {
  method: string
  pattern: RegExp
  paramNames: string[]
  handler: ApiHandler
  accepts?: (params: Record<string, string>) => boolean
}

export interface RouteMatch {
  handler: ApiHandler
  params: Record<string, string>
}

export class Router {
  private readonly routes: Route[] = []

  /**
   * `template` segments starting with ':' capture one path segment; a final '*' matches any rest.
   * `accepts` lets a route decline its captures, so a later route can match the same path.
   */
  add(method: string, template: string, handler: ApiHandler, accepts?: (params: Record<string, string>) => boolean): this {
    const paramNames: string[] = []
    const source = template
      .split('/')
      .map(segment => {
        if (segment === '*') return '.*'
        if (!segment.startsWith(':')) return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
        paramNames.push(segment.slice(1))
        return '([^/]+)'
      })
      .join('/')
    this.routes.push({ method, pattern: new RegExp(`^${source}/?$`), paramNames, handler, accepts })
    return this
  }

  match(method: string, pathname: string): RouteMatch | undefined {
    for (const route of this.routes) {
      if (route.method !== method) continue
      const found = route.pattern.exec(pathname)
      if (!found) continue
      const params = decodeParams(route.paramNames, found.slice(1))
      if (params && (route.accepts?.(params) ?? true)) return { handler: route.handler, params }
    }
    return undefined
  }
}

/** Undefined when a segment is not valid percent-encoding (the route does not match). */
function decodeParams(names: string[], values: string[]): Record<string, string> | undefined {
  try {
    return Object.fromEntries(names.map((name, i) => [name, decodeURIComponent(values[i])]))
  } catch {
    return undefined
  }
}
