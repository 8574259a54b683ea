import { mapWithConcurrency } from '../util/concurrency.js'
import { ClusterAnswerError, ClusterApiError, isNotFound } from './errors.js'
import type { ClusterHttp } from './http.js'
import { isPlainObject, optionalString } from '../util/json.js'

/** A runtime environment of one cluster. `id` means something only on that cluster. */
export interface Environment {
  readonly id: string
  readonly specificationId?: string
  readonly displayName?: string
  readonly language: string
  readonly machineType?: string
}

/** What calling an algorithm version answered: its result, or the error it raised. */
export type CallAnswer = { readonly ok: true; readonly result: unknown } | { readonly ok: false; readonly error: string }

/**
 * The parts of a cluster that describe how an algorithm runs rather than what
 * it is: environments, secret names, and calling a built version.
 */
export class RuntimeApi {
  constructor(
    readonly cluster: string,
    private readonly http: ClusterHttp,
    /** Requests a listing of many parts (environments, language by language) sends at once. */
    private readonly concurrency: number
  ) {}

  /** Environment language names (python3, java11, ...). */
  async listLanguages(): Promise<string[]> {
    const path = '/algorithm-environments/edge/languages'
    const answer = await this.http.request<unknown>({ method: 'GET', path })
    const list = Array.isArray(answer) ? answer : isPlainObject(answer) && Array.isArray(answer.languages) ? answer.languages : undefined
    if (!list) throw this.unexpected('GET', path, 'a list of languages')
    return list
      .map(entry => (isPlainObject(entry) ? optionalString(entry.name) : optionalString(entry)))
      .filter((name): name is string => !!name)
  }

  /** The language's environments; an unknown language has none. */
  async listEnvironments(language: string): Promise<Environment[]> {
    const path = `/algorithm-environments/edge/languages/${encodeURIComponent(language)}/environments`
    let answer: unknown
    try {
      answer = await this.http.request<unknown>({ method: 'GET', path })
    } catch (error) {
      if (isNotFound(error)) return []
      throw error
    }
    if (!isPlainObject(answer) || !Array.isArray(answer.environments)) {
      throw this.unexpected('GET', path, '{"environments":[...]}')
    }
    return answer.environments.filter(isPlainObject).flatMap(entry => environmentOf(entry, language))
  }

  /** Every environment of the cluster, language by language. */
  async allEnvironments(): Promise<Environment[]> {
    const languages = await this.listLanguages()
    const lists = await mapWithConcurrency(languages, this.concurrency, language => this.listEnvironments(language))
    return lists.flat()
  }

  /** The names of an algorithm's secrets. Values are never part of the answer, and never asked for. */
  async listSecretNames(algorithmId: string): Promise<string[]> {
    const path = `/algorithms/${encodeURIComponent(algorithmId)}/secrets`
    const answer = await this.http.request<unknown>({ method: 'GET', path })
    if (!isPlainObject(answer) || !Array.isArray(answer.results)) {
      throw this.unexpected('GET', path, '{"results":[...]}')
    }
    return answer.results
      .filter(isPlainObject)
      .map(secret => optionalString(secret.short_name) ?? optionalString(secret.secret_key))
      .filter((name): name is string => !!name)
  }

  /**
   * Calls one version of an algorithm (a git hash or a semantic version) with a
   * JSON input. An error the algorithm raised is an answer, not an exception;
   * not being able to call it at all (no such version, no access) throws.
   */
  async call(owner: string, name: string, version: string, input: unknown): Promise<CallAnswer> {
    const path = `/algo/${encodeURIComponent(owner)}/${encodeURIComponent(name)}/${encodeURIComponent(version)}`
    let answer: unknown
    try {
      answer = await this.http.request<unknown>({ method: 'POST', path, body: input === undefined ? null : input })
    } catch (error) {
      // An algorithm that raised answers 400 with its message; anything else is not the algorithm's answer.
      if (error instanceof ClusterApiError && error.status === 400 && error.code === undefined)
        return { ok: false, error: error.apiMessage }
      throw error
    }
    if (!isPlainObject(answer)) throw this.unexpected('POST', path, '{"result": ...} or {"error": ...}')
    if (isPlainObject(answer.error)) return { ok: false, error: optionalString(answer.error.message) ?? JSON.stringify(answer.error) }
    if (!('result' in answer)) throw this.unexpected('POST', path, '{"result": ...}')
    return { ok: true, result: answer.result }
  }

  /** An answer this tool cannot read, worded as the API client words it (see api.ts). */
  private unexpected(method: string, path: string, expected: string): ClusterAnswerError {
    return new ClusterAnswerError(this.cluster, method, path, `answered with an unexpected shape (expected ${expected})`)
  }
}

function environmentOf(entry: Record<string, unknown>, language: string): Environment[] {
  const id = optionalString(entry.id)
  if (!id) return []
  const languageName = isPlainObject(entry.language) ? optionalString(entry.language.name) : optionalString(entry.language)
  return [
    {
      id,
      specificationId: optionalString(entry.environment_specification_id),
      displayName: optionalString(entry.display_name),
      language: languageName ?? language,
      machineType: optionalString(entry.machine_type)
    }
  ]
}
