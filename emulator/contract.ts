// The contract check: every API exchange the emulator serves, checked against
// Algorithmia's official OpenAPI spec by a maintained validator library
// (openapi-backend, on Ajv). The request (path, query, body) and the answer
// (status and body) must be what the spec allows for the operation they
// match; where the spec itself is wrong, the one list of exceptions in
// contract-exceptions.ts says so, with the reason.
import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import OpenAPIBackend, { type Operation, ValidationContext } from 'openapi-backend'
import { parse } from 'yaml'
import { CONTRACT_EXCEPTIONS, type ContractException, KNOWN_ACTION_DEPARTURES, PATHS_OUTSIDE_THE_SPEC } from './contract-exceptions.js'

/** One API request and its answer, as the server saw them. */
export interface ContractExchange {
  method: string
  path: string
  query: Record<string, string>
  requestContentType?: string
  /** The parsed JSON request body; undefined without one (or not JSON). */
  requestBody?: unknown
  status: number
  /** The parsed JSON answer; undefined without one (or not JSON). */
  responseBody?: unknown
}

/** Ajv's types as openapi-backend's own Ajv has them (another Ajv may be installed beside it). */
type ValidateFunction = ReturnType<ReturnType<OpenAPIBackend['validator']['getAjv']>['compile']>
type ErrorObject = NonNullable<ValidateFunction['errors']>[number]

interface ResponseObject {
  content?: Record<string, { schema?: object }>
}

interface Problem {
  where: 'request' | 'response'
  text: string
}

const UUID = /^[a-zA-Z0-9]{8}-[a-zA-Z0-9]{4}-[a-zA-Z0-9]{4}-[a-zA-Z0-9]{4}-[a-zA-Z0-9]{12}$/

export class ContractCheck {
  private errorValidator?: ValidateFunction

  private constructor(private readonly api: OpenAPIBackend) {}

  /** Reads the spec (YAML) and prepares the validator; validators compile on first use. */
  static async load(specPath: string): Promise<ContractCheck> {
    const definition = parse(await readFile(specPath, 'utf8')) as object
    const api = new OpenAPIBackend({
      definition: definition as never,
      quick: true,
      strict: false,
      validate: true,
      // The spec uses formats (uuid) Ajv does not know; they are not checked rather than reported on every compile.
      // allErrors: an excepted error (contract-exceptions.ts) must not hide the ones after it.
      ajvOpts: { strict: false, logger: false, allErrors: true }
    })
    await api.init()
    return new ContractCheck(api)
  }

  /** What the exchange does that the spec does not allow, each naming the operation; empty when it conforms. */
  check(exchange: ContractExchange): string[] {
    if (PATHS_OUTSIDE_THE_SPEC.some(known => known.pattern.test(exchange.path))) return []
    const path = specPathOf(exchange.path)
    const operation = this.api.router.matchOperation({ method: exchange.method.toLowerCase(), path, headers: {}, query: exchange.query })
    if (!operation) return [`${exchange.method} ${exchange.path}: no operation of the spec has this method and path`]
    const problems = [...this.requestProblems(operation, exchange, path), ...this.responseProblems(operation, exchange)]
    return problems
      .filter(problem => !excepted(operation.operationId ?? '', exchange, problem))
      .map(
        problem => `${operation.operationId} (${exchange.method} ${exchange.path} → ${exchange.status}): ${problem.where} ${problem.text}`
      )
  }

  private requestProblems(operation: Operation, exchange: ContractExchange, path: string): Problem[] {
    const headers: Record<string, string> = exchange.requestContentType ? { 'content-type': exchange.requestContentType } : {}
    const request = {
      method: exchange.method.toLowerCase(),
      path,
      headers,
      query: exchange.query,
      body: exchange.requestBody
    }
    const result = this.api.validator.validateRequest(request, operation)
    // A refused request is the emulator doing its job: only the requests it served are held to the spec.
    if (result.valid || exchange.status >= 400) return []
    return (result.errors ?? []).map(error => ({
      where: 'request',
      text: `${error.instancePath || '/'} ${error.message ?? error.keyword}`
    }))
  }

  private responseProblems(operation: Operation, exchange: ContractExchange): Problem[] {
    const statuses = Object.keys(operation.responses ?? {})
    const listed = statuses.includes(String(exchange.status)) || statuses.includes('default')
    const problems: Problem[] = listed
      ? []
      : [{ where: 'response', text: `status ${exchange.status} is not one the spec lists (${statuses.join(', ')})` }]
    if (exchange.responseBody === undefined) return problems
    // An error status the operation does not list is still held to the spec's common Error response.
    const errors = listed
      ? this.api.validator.validateResponse(exchange.responseBody, operation, exchange.status).errors
      : exchange.status >= 400
        ? this.errorSchemaProblems(exchange.responseBody)
        : null
    return problems.concat(
      (errors ?? []).map(error => ({
        where: 'response',
        text: `${error.instancePath || '/'} ${error.message ?? error.keyword}${error.params ? ` ${JSON.stringify(error.params)}` : ''}`
      }))
    )
  }

  /** Checks a body against `#/components/responses/Error`, compiled once with the validator's own Ajv. */
  private errorSchemaProblems(body: unknown): ErrorObject[] | null | undefined {
    if (!this.errorValidator) {
      const components = (this.api.definition as { components?: { responses?: Record<string, ResponseObject> } }).components
      const schema = components?.responses?.Error?.content?.['application/json']?.schema
      this.errorValidator = this.api.validator.getAjv(ValidationContext.Response).compile(schema ?? {})
    }
    this.errorValidator(body)
    return this.errorValidator.errors
  }
}

/**
 * The spec's path for a request path where the two spell it differently: a
 * call with a blank version keeps its empty last segment, and a data path
 * (owner/collection/file) is the one `connectorPath` segment the spec has.
 */
function specPathOf(path: string): string {
  const blankVersion = /^\/v1\/algo\/([^/]+)\/[^/]+$/.exec(path)
  if (blankVersion && !UUID.test(blankVersion[1])) return `${path}/`
  const data = /^\/v1\/(?:connector\/data|data)\/(.+)$/.exec(path)
  if (data) return `/v1/connector/data/${encodeURIComponent(decodeURIComponent(data[1]))}`
  return path
}

function excepted(operationId: string, exchange: ContractExchange, problem: Problem): boolean {
  return [...CONTRACT_EXCEPTIONS, ...KNOWN_ACTION_DEPARTURES].some((exception: ContractException) => {
    if (exception.operations !== '*' && !exception.operations.includes(operationId)) return false
    if (exception.status !== undefined && exception.status !== exchange.status) return false
    return exception.where === problem.where && exception.problem.test(problem.text)
  })
}

/** Where a checkout finds Algorithmia's spec: beside the repository, never inside it (it is not ours to copy). */
export const SPEC_RELATIVE_PATH = '../shared/reference/algorithmia-openapi-1.5.1.yml'

/**
 * The contract check for the spec beside `repoRoot`, or undefined (with a
 * printed notice) in a clone that does not have it.
 */
export async function specContractCheck(repoRoot: string): Promise<ContractCheck | undefined> {
  const specPath = join(repoRoot, SPEC_RELATIVE_PATH)
  if (!existsSync(specPath)) {
    console.warn(`[contract] ${SPEC_RELATIVE_PATH} is not beside this checkout: API answers are not checked against the official spec`)
    return undefined
  }
  return ContractCheck.load(specPath)
}
