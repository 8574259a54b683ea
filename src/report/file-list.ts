/**
 * Files listed per kind (added, modified, deleted) and promotion before
 * "… and N more": a promotion can touch thousands of files, and both the plan
 * comment (65,536 characters) and the job summary (1 MiB) have a size limit.
 */
export const FILES_PER_LIST = 30

/** The first `limit` files, each as `show` writes it, then "… and N more" for the rest. */
export function cappedFileList(files: readonly string[], limit: number, show: (file: string) => string): string[] {
  const lines = files.slice(0, limit).map(file => show(file))
  if (files.length > limit) lines.push(`… and ${files.length - limit} more`)
  return lines
}
