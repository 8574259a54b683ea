/**
 * Text shown as it is inside HTML: the job summary and the plan comment's
 * `<details>` are raw HTML, where a file or algorithm name must not open a tag.
 */
export function escapeHtml(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;')
}
