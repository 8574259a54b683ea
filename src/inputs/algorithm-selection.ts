import { type InputContext, quoteUnlessSecretLike } from './reader.js'
import { ALGORITHM_PATTERN } from '../core/rules.js'
import type { AlgorithmSelection } from '../core/config.js'
import { expandSelection, isPattern, isWellFormedPattern, needsListing } from '../selection/algorithm-patterns.js'

/**
 * `algorithms` and `exclude-algorithms`: names as in the algorithms' URLs, or
 * patterns such as `*` and `sentiment_*`. Without patterns the names are final
 * here; with them, the source owner's list decides before the run starts.
 */
export function algorithmSelection(inputs: InputContext): { algorithms: string[]; algorithmSelection: AlgorithmSelection } {
  // A team may move its data collections (models) alone: with `collections`, algorithms are optional.
  const raw = inputs.given('collections')
    ? inputs.read('algorithms')
    : inputs.required(
        'algorithms',
        "name one or more algorithms, one per line or separated by commas, e.g. 'sentiment, summarize', or a pattern such as '*' or 'sentiment_*' (or give only 'collections' to promote data alone)"
      )
  const include = entries(inputs, 'algorithms')
  if (!raw && /^\s*auto\s*$/i.test(inputs.read('collections'))) {
    inputs.problem(
      'algorithms',
      'is required with collections: auto, which finds the collections in the promoted code: name the algorithms, or name the collections'
    )
  }
  if (raw && include.length === 0) inputs.problem('algorithms', "lists no algorithm names: name one or more, e.g. 'sentiment, summarize'")
  const exclude = entries(inputs, 'exclude-algorithms')
  const selection = { include, exclude }
  if (needsListing(selection)) return { algorithms: [], algorithmSelection: selection }
  const { names, unmatched } = expandSelection(selection, [])
  const algorithms = [...names]
  for (const { pattern } of unmatched) {
    inputs.problem('exclude-algorithms', `${quotePattern(pattern)} is not among the algorithms listed: remove it, or use a pattern`)
  }
  if (include.length > 0 && names.length === 0 && unmatched.length === 0) {
    inputs.problem('exclude-algorithms', "leaves none of the algorithms listed in 'algorithms': exclude fewer")
  }
  return { algorithms, algorithmSelection: selection }
}

function entries(inputs: InputContext, input: 'algorithms' | 'exclude-algorithms'): string[] {
  const items = inputs.list(input)
  const seen = new Set<string>()
  for (const item of items) {
    if (isPattern(item) ? !isWellFormedPattern(item) : !ALGORITHM_PATTERN.test(item)) {
      inputs.problem(
        input,
        `${quotePattern(item)} is not a valid algorithm name: use a letter followed by letters, digits or underscores (the name in the algorithm's URL, not its display name), or a pattern with * or ? as wildcards such as 'sentiment_*'`
      )
    } else if (seen.has(item)) {
      inputs.problem(input, `${quotePattern(item)} is listed twice: list each algorithm once`)
    }
    seen.add(item)
  }
  return items
}

/** Wildcards are safe to show; whether the rest could be a pasted key decides, as for any value. */
function quotePattern(text: string): string {
  return quoteUnlessSecretLike(text.replace(/[*?]/g, '_')) === 'the value given' ? 'the value given' : `'${text}'`
}
