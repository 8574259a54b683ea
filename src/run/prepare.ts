import { createMissingOwners } from '../accounts/create-owner.js'
import type { PromotionConfig } from '../core/config.js'
import { selectAlgorithms } from '../selection/select-algorithms.js'
import type { Logger } from '../util/log.js'

/**
 * What happens once per run before any target exists: algorithm patterns
 * become names (from the source owner's list), then, with `create-owner`,
 * missing destination owners are created. Front ends call it before they
 * record anything, so GitHub records and progress see the final names.
 */
export async function prepareRun(
  config: PromotionConfig,
  deps: { readonly logger: Logger; readonly redact: (text: string) => string }
): Promise<PromotionConfig> {
  const selected = await selectAlgorithms(config, deps.logger, deps.redact)
  await createMissingOwners(selected, deps)
  return selected
}
