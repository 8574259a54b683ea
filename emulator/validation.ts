// Validation of request bodies for algorithm create/update/publish. Errors use
// the API's codes: 4001 for an unknown language, 6001 for other invalid values.
import { ALGORITHM_NAME_PATTERN } from './state.js'
import { ErrorCode, apiError, validationError } from './errors.js'
import type { AlgorithmDetails, AlgorithmSettings, VersionType } from './types.js'

export const LANGUAGES = ['java', 'javascript', 'python2-langpack', 'python3-1', 'r', 'ruby', 'rust', 'scala']

const SETTING_ENUMS: Record<string, readonly string[]> = {
  environment: ['cpu', 'gpu'],
  license: ['apl', 'apache2', 'gpl3', 'mit'],
  network_access: ['isolated', 'full'],
  source_visibility: ['open', 'closed'],
  algorithm_callability: ['public', 'private']
}

const COMMON_DEFAULTS: AlgorithmSettings = {
  license: 'apl',
  network_access: 'full',
  pipeline_enabled: true,
  source_visibility: 'closed'
}

// Only algorithms without an environment (package_set / algorithm_environment)
// get the classic language + environment pair.
const LANGUAGE_DEFAULTS: AlgorithmSettings = { language: 'python3-1', environment: 'cpu' }

export interface CreateRequest {
  name: string
  details: AlgorithmDetails
  settings: AlgorithmSettings
  sampleInput?: unknown
}

export interface UpdateRequest {
  details?: Partial<AlgorithmDetails>
  settings?: AlgorithmSettings
  sampleInput?: unknown
}

export interface PublishRequest extends UpdateRequest {
  versionType: VersionType
  releaseNotes?: string
  sampleOutput?: unknown
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function objectField(body: Record<string, unknown>, field: string): Record<string, unknown> | undefined {
  const value = body[field]
  if (value === undefined || value === null) return undefined
  if (!isObject(value)) throw validationError(`'${field}' must be an object`)
  return value
}

function requireBodyObject(body: unknown): Record<string, unknown> {
  if (!isObject(body)) throw apiError(400, ErrorCode.invalidRequest, 'Request body must be a JSON object')
  return body
}

export function validateSettings(settings: Record<string, unknown>): AlgorithmSettings {
  const language = settings.language
  if (language !== undefined && (typeof language !== 'string' || !LANGUAGES.includes(language))) {
    throw apiError(400, ErrorCode.unknownLanguage, `Unknown language ${JSON.stringify(language)}`)
  }
  for (const [field, allowed] of Object.entries(SETTING_ENUMS)) {
    const value = settings[field]
    if (value !== undefined && (typeof value !== 'string' || !allowed.includes(value))) {
      throw validationError(`Invalid ${field} ${JSON.stringify(value)}; expected one of ${allowed.join(', ')}`)
    }
  }
  if (settings.pipeline_enabled !== undefined && typeof settings.pipeline_enabled !== 'boolean') {
    throw validationError("'pipeline_enabled' must be a boolean")
  }
  return { ...settings } as AlgorithmSettings
}

function validateDetails(details: Record<string, unknown>): Partial<AlgorithmDetails> {
  for (const field of ['label', 'summary', 'tagline']) {
    if (details[field] !== undefined && typeof details[field] !== 'string') {
      throw validationError(`'details.${field}' must be a string`)
    }
  }
  return { ...details }
}

function withDefaults(settings: AlgorithmSettings): AlgorithmSettings {
  const usesEnvironment = settings.package_set !== undefined || settings.algorithm_environment !== undefined
  return { ...COMMON_DEFAULTS, ...(usesEnvironment ? {} : LANGUAGE_DEFAULTS), ...settings }
}

function sampleInputOf(body: Record<string, unknown>): unknown {
  return objectField(body, 'version_info')?.sample_input
}

export function parseCreateRequest(body: unknown): CreateRequest {
  const object = requireBodyObject(body)
  const name = object.name
  if (typeof name !== 'string' || !ALGORITHM_NAME_PATTERN.test(name)) {
    throw validationError(`Invalid algorithm name ${JSON.stringify(name)}: use letters, digits and underscore, starting with a letter`)
  }
  const details = validateDetails(objectField(object, 'details') ?? {})
  const settings = validateSettings(objectField(object, 'settings') ?? {})
  return {
    name,
    details: { ...details, label: details.label ?? name },
    settings: withDefaults(settings),
    sampleInput: sampleInputOf(object)
  }
}

export function parseUpdateRequest(body: unknown): UpdateRequest {
  const object = requireBodyObject(body ?? {})
  const details = objectField(object, 'details')
  const settings = objectField(object, 'settings')
  return {
    details: details && validateDetails(details),
    settings: settings && validateSettings(settings),
    sampleInput: sampleInputOf(object)
  }
}

function parseVersionType(value: unknown): VersionType {
  if (value === undefined || value === null) return 'minor'
  if (value === 'patch') return 'revision' // the API docs call it "patch" in places
  if (value === 'major' || value === 'minor' || value === 'revision') return value
  throw validationError(`Invalid version_type ${JSON.stringify(value)}; expected major, minor or revision`)
}

export function parsePublishRequest(body: unknown): PublishRequest {
  const update = parseUpdateRequest(body)
  const info = objectField(requireBodyObject(body ?? {}), 'version_info') ?? {}
  // Old examples send version_info.type; newer clients version_info.version_type.
  const versionType = parseVersionType(info.version_type ?? info.type)
  if (info.release_notes !== undefined && typeof info.release_notes !== 'string') {
    throw validationError("'version_info.release_notes' must be a string")
  }
  return { ...update, versionType, releaseNotes: info.release_notes, sampleOutput: info.sample_output }
}
