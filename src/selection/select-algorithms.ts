import { openSession } from '../cluster/session.js'
import type { PromotionConfig } from '../core/config.js'
import { InputError, type InputProblem } from '../core/input-error.js'
import type { Logger } from '../util/log.js'
import { expandSelection, needsListing, sampleNames } from './algorithm-patterns.js'

/**
 * Turns the `algorithms` and `exclude-algorithms` patterns into names, reading
 * the source owner's list when a pattern needs it. Runs before anything is
 * written or recorded, so a pattern that matches nothing stops the run as bad
 * input, naming the pattern and some names that exist.
 */
export async function selectAlgorithms(
  config: PromotionConfig,
  logger: Logger,
  redact: (text: string) => string
): Promise<PromotionConfig> {
  if (!needsListing(config.algorithmSelection)) return config
  const account = config.source
  const source = openSession(account, config, logger, redact)
  const available = await source.api.listAlgorithmNames(account.algoOwner)
  const { names, unmatched } = expandSelection(config.algorithmSelection, available)
  const where = `${account.algoOwner} on ${account.cluster.label}`
  const problems: InputProblem[] = unmatched.map(({ input, pattern }) => ({
    input,
    message: `'${pattern}' matches none of the algorithms of ${where} (${sampleNames(available)}): fix the pattern or the name (names are case-sensitive)`
  }))
  if (problems.length === 0 && names.length === 0) {
    problems.push({
      input: 'exclude-algorithms',
      message: `leaves none of the algorithms that 'algorithms' selects on ${where}: exclude fewer`
    })
  }
  if (problems.length > 0) throw new InputError(problems)
  logger.info(`Algorithms of ${where} selected: ${names.join(', ')}`)
  return { ...config, algorithms: names }
}
