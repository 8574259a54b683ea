/**
 * Reads what `git cat-file --batch` printed for `names` (each `<object> <type> <size>`, a line feed,
 * the content and a line feed; `<name> missing` for one it lacks): the blobs' texts by name, without
 * `prefix` (`<commit>:`).
 */
export function blobsOfBatch(names: readonly string[], bytes: Buffer, prefix: string): Map<string, string> {
  const files = new Map<string, string>()
  let offset = 0
  for (const name of names) {
    const headerEnd = bytes.indexOf(10, offset)
    if (headerEnd < 0) break
    const [, type, size] = bytes.subarray(offset, headerEnd).toString('utf8').split(' ')
    if (size === undefined) {
      offset = headerEnd + 1 // `<name> missing`
      continue
    }
    const end = headerEnd + 1 + Number(size)
    if (type === 'blob')
      files.set(name.startsWith(prefix) ? name.slice(prefix.length) : name, bytes.subarray(headerEnd + 1, end).toString('utf8'))
    offset = end + 1
  }
  return files
}
