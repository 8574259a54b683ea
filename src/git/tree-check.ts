/**
 * The checks `git fsck` makes on trees and `.gitmodules`, applied to a source
 * tree before it is promoted: a tree that git itself would refuse to check out
 * (a `.git` or `..` entry) or whose submodules carry option-shaped settings
 * can hijack whoever clones the destination, so it is never pushed.
 */

/** Characters HFS+ ignores in names, so `.g\u200cit` is `.git` on a Mac. */
const HFS_IGNORABLE = /[\u200c-\u200f\u202a-\u202e\u206a-\u206f\ufeff]/g

/** Why git refuses a tree entry with this name (one path component), or undefined when it is fine. */
export function forbiddenNameReason(name: string): string | undefined {
  if (name === '' || name === '.' || name === '..') return 'a path component git never allows'
  // NTFS drops trailing dots and spaces; HFS+ ignores some code points; both ignore case.
  const folded = name
    .replace(HFS_IGNORABLE, '')
    .toLowerCase()
    .replace(/[. ]+$/, '')
  if (folded === '.git' || folded === 'git~1') return "a '.git' entry, which would be taken for a repository's own metadata"
  return undefined
}

/** `.gitmodules` settings that git passes to commands, where a leading '-' would be read as an option. */
const OPTION_CHECKED = /^submodule\..*\.(url|path|update|branch)$/

/**
 * Problems in a `.gitmodules` file, from `git config --blob … -z --list`
 * output (`key\nvalue\0` records).
 */
export function submoduleProblems(configList: string): string[] {
  const problems: string[] = []
  for (const record of configList.split('\0').filter(Boolean)) {
    const at = record.indexOf('\n')
    const key = at < 0 ? record : record.slice(0, at)
    const value = at < 0 ? '' : record.slice(at + 1)
    const setting = OPTION_CHECKED.exec(key)?.[1]
    if (setting && value.trimStart().startsWith('-')) problems.push(`its submodule ${setting} looks like a command-line option`)
    if (/^submodule\./.test(key) && /(^|[/\\])\.\.([/\\]|\.|$)/.test(key.slice('submodule.'.length, key.lastIndexOf('.')))) {
      problems.push('a submodule name climbs out of its directory')
    }
  }
  return [...new Set(problems)]
}

/** Whether an entry is a `.gitmodules` file in git's eyes (any case, NTFS short name). */
export function isGitmodules(name: string): boolean {
  const folded = name
    .replace(HFS_IGNORABLE, '')
    .toLowerCase()
    .replace(/[. ]+$/, '')
  return folded === '.gitmodules' || folded === 'gitmod~1'
}
