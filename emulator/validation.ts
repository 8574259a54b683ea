// Validation of request bodies for algorithm create/update/publish. Errors use
// the API's codes: 4001 for an unknown language, 6001 for other invalid values,
// missing required fields and settings the request type does not know.
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

/** A create request must name these (SettingsMandatory). */
export const REQUIRED_CREATE_SETTINGS = ['source_visibility', 'license', 'network_access', 'pipeline_enabled'] as const

/** Settings an update may carry (Settings), plus `language`, which clients send there too. */
const UPDATE_SETTING_KEYS = [
  'algorithm_callability',
  'source_visibility',
  'language',
  'environment',
  'package_set',
  'algorithm_environment',
  'license',
  'royalty_microcredits',
  'network_access',
  'pipeline_enabled'
]

/** Settings a create request may carry (SettingsMandatory): the same names. */
const CREATE_SETTING_KEYS = UPDATE_SETTING_KEYS

/** Read-only in Settings and SettingsMandatory (create and update), writable only in SettingsPublish. */
const READ_ONLY_SETTINGS = ['royalty_microcredits']

/** Settings a publish request may carry (SettingsPublish). */
const PUBLISH_SETTING_KEYS = [
  'algorithm_callability',
  'source_visibility',
  'license',
  'royalty_microcredits',
  'network_access',
  'pipeline_enabled'
]

/** Whether an environment id belongs to this cluster. */
export type EnvironmentCheck = (id: string) => boolean

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
  insightsEnabled?: boolean
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

function refuseUnknownSettings(settings: Record<string, unknown>, allowed: readonly string[], request: string): void {
  const unknown = Object.keys(settings).filter(key => !allowed.includes(key))
  if (unknown.length) {
    throw validationError(
      `Unknown setting${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')} in ${request} request; allowed: ${allowed.join(', ')}`
    )
  }
}

function checkEnvironment(settings: Record<string, unknown>, environmentExists: EnvironmentCheck): void {
  const id = settings.algorithm_environment
  if (id === undefined) return
  if (typeof id !== 'string' || !environmentExists(id)) {
    throw validationError(`Unknown algorithm_environment ${JSON.stringify(id)}: not an environment of this cluster`)
  }
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
  return { ...(usesEnvironment ? {} : LANGUAGE_DEFAULTS), ...settings }
}

function requireCreateFields(details: Record<string, unknown> | undefined, settings: Record<string, unknown> | undefined): void {
  if (typeof details?.label !== 'string') throw validationError("'details.label' is required")
  const missing = REQUIRED_CREATE_SETTINGS.filter(field => settings?.[field] === undefined)
  if (missing.length) throw validationError(`Missing required settings: ${missing.join(', ')}`)
}

/** The spec's `sample_input` is text (the console parses it as JSON when it can). */
function sampleInputOf(body: Record<string, unknown>): string | undefined {
  const sample = objectField(body, 'version_info')?.sample_input
  if (sample !== undefined && typeof sample !== 'string') {
    throw validationError(`'version_info.sample_input' must be a string (text the console parses), not ${JSON.stringify(sample)}`)
  }
  return sample
}

function refuseReadOnlySettings(settings: Record<string, unknown>, request: string): void {
  const readOnly = READ_ONLY_SETTINGS.filter(key => settings[key] !== undefined)
  if (readOnly.length) throw validationError(`Read-only setting ${readOnly.join(', ')} cannot be set by a ${request} request`)
}

export interface BuildRequest {
  commitSha?: string
}

/** The spec's BuildRequest: every field optional, but the body itself is required. */
export function parseBuildRequest(body: unknown): BuildRequest {
  const object = requireBodyObject(body)
  const commitSha = object.commitSha
  if (commitSha !== undefined && (typeof commitSha !== 'string' || !/^[0-9a-f]{40}$/.test(commitSha))) {
    throw validationError(`'commitSha' must be a full git commit hash, not ${JSON.stringify(commitSha)}`)
  }
  return { commitSha }
}

export function parseCreateRequest(body: unknown, environmentExists: EnvironmentCheck): CreateRequest {
  const object = requireBodyObject(body)
  const name = object.name
  if (typeof name !== 'string' || !ALGORITHM_NAME_PATTERN.test(name)) {
    throw validationError(`Invalid algorithm name ${JSON.stringify(name)}: use letters, digits and underscore, starting with a letter`)
  }
  const rawDetails = objectField(object, 'details')
  const rawSettings = objectField(object, 'settings')
  const details = validateDetails(rawDetails ?? {})
  const settings = validateSettings(rawSettings ?? {})
  requireCreateFields(rawDetails, rawSettings)
  refuseUnknownSettings(settings, CREATE_SETTING_KEYS, 'create')
  refuseReadOnlySettings(settings, 'create')
  checkEnvironment(settings, environmentExists)
  return {
    name,
    details: details as AlgorithmDetails,
    settings: withDefaults(settings),
    sampleInput: sampleInputOf(object)
  }
}

function parseChanges(
  object: Record<string, unknown>,
  settingKeys: readonly string[],
  request: string,
  environmentExists: EnvironmentCheck
): UpdateRequest {
  const details = objectField(object, 'details')
  const settings = objectField(object, 'settings')
  if (settings) {
    refuseUnknownSettings(settings, settingKeys, request)
    if (request !== 'publish') refuseReadOnlySettings(settings, request)
    checkEnvironment(settings, environmentExists)
  }
  return {
    details: details && validateDetails(details),
    settings: settings && validateSettings(settings),
    sampleInput: sampleInputOf(object)
  }
}

export function parseUpdateRequest(body: unknown, environmentExists: EnvironmentCheck): UpdateRequest {
  return parseChanges(requireBodyObject(body), UPDATE_SETTING_KEYS, 'update', environmentExists)
}

/** The spec's VersionType: required, with no default and no "patch". */
function parseVersionType(value: unknown): VersionType {
  if (value === undefined || value === null) {
    throw validationError("'version_info.version_type' is required: major, minor or revision")
  }
  if (value === 'major' || value === 'minor' || value === 'revision') return value
  throw validationError(`Invalid version_type ${JSON.stringify(value)}; expected major, minor or revision`)
}

export function parsePublishRequest(body: unknown): PublishRequest {
  const object = requireBodyObject(body)
  const update = parseChanges(object, PUBLISH_SETTING_KEYS, 'publish', () => false)
  const info = objectField(object, 'version_info') ?? {}
  const versionType = parseVersionType(info.version_type)
  if (info.release_notes !== undefined && typeof info.release_notes !== 'string') {
    throw validationError("'version_info.release_notes' must be a string")
  }
  if (info.insights_enabled !== undefined && typeof info.insights_enabled !== 'boolean') {
    throw validationError("'version_info.insights_enabled' must be a boolean")
  }
  return {
    ...update,
    versionType,
    releaseNotes: info.release_notes,
    sampleOutput: info.sample_output,
    insightsEnabled: info.insights_enabled
  }
}
