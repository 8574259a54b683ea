import type { SettingsOverride } from '../core/config.js'
import type { InputContext } from './reader.js'
import { DETAIL_KEYS, SETTING_VALUES } from '../core/rules.js'
import { isPlainObject } from '../util/json.js'

/** `settings`: a JSON object of create settings and a nested `details`, checked against the API's enums. */
export function settingsOverride(inputs: InputContext): SettingsOverride {
  const empty: SettingsOverride = { settings: {}, details: {} }
  const raw = inputs.read('settings')
  if (!raw) return empty
  let parsed: unknown
  try {
    parsed = JSON.parse(raw)
  } catch (error) {
    inputs.problem(
      'settings',
      `is not valid JSON (${(error as Error).message}): give an object such as '{"license": "mit", "environment": "gpu"}'`
    )
    return empty
  }
  if (!isPlainObject(parsed)) {
    inputs.problem('settings', 'must be a JSON object such as \'{"license": "mit"}\'')
    return empty
  }
  const { details, ...settings } = parsed
  checkSettings(inputs, settings)
  return { settings, details: checkDetails(inputs, details) }
}

function checkSettings(inputs: InputContext, settings: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(settings)) {
    if (!Object.hasOwn(SETTING_VALUES, key)) {
      inputs.problem(
        'settings',
        `has an unknown setting '${key}': use ${Object.keys(SETTING_VALUES).join(', ')}, or 'details' for label, summary and tagline`
      )
      continue
    }
    const allowed = SETTING_VALUES[key]
    if (allowed && !allowed.includes(value as string | boolean)) {
      inputs.problem(
        'settings',
        `'${key}' cannot be ${JSON.stringify(value)}: use one of ${allowed.map(v => JSON.stringify(v)).join(', ')}`
      )
    }
  }
}

function checkDetails(inputs: InputContext, details: unknown): Record<string, unknown> {
  if (details === undefined) return {}
  if (!isPlainObject(details)) {
    inputs.problem('settings', '\'details\' must be an object such as {"label": "My algorithm"}')
    return {}
  }
  for (const key of Object.keys(details)) {
    if (!(DETAIL_KEYS as readonly string[]).includes(key))
      inputs.problem('settings', `has an unknown detail '${key}': use ${DETAIL_KEYS.join(', ')}`)
  }
  return details
}
