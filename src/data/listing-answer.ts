import { AnswerShapeProblem, type AnswerReader } from '../cluster/answers.js'
import { isPlainObject } from '../util/json.js'
import { quoteRemoteValue } from '../util/remote-text.js'

/** One file of a hosted collection as its listing shows it (`filename`: its path below the collection, once listed). */
export interface DataFile {
  readonly filename: string
  readonly size: number
  readonly last_modified: string
}

/** One page of a collection's listing, as far as a promotion reads it. */
export interface DirectoryPage {
  readonly files: readonly DataFile[]
  /** The names of the folder's sub-folders. */
  readonly folders: readonly string[]
  readonly marker?: string
  /** The read ACL, when the page carries one. */
  readonly read?: readonly string[]
}

/**
 * Checks a listing page where it is read: a file entry of the wrong shape
 * would otherwise be copied under the name `undefined`, or compared as a size
 * that is text.
 */
export const readDirectoryPage: AnswerReader<DirectoryPage> = answer => {
  if (!isPlainObject(answer)) throw new AnswerShapeProblem(`the listing is ${quoteRemoteValue(answer)}, not an object`)
  const files = answer.files ?? []
  if (!Array.isArray(files)) throw new AnswerShapeProblem(`files is ${quoteRemoteValue(files)}, not a list`)
  const marker = answer.marker ?? undefined
  if (marker !== undefined && typeof marker !== 'string') throw new AnswerShapeProblem(`marker is ${quoteRemoteValue(marker)}, not text`)
  const folders = answer.folders ?? []
  if (!Array.isArray(folders)) throw new AnswerShapeProblem(`folders is ${quoteRemoteValue(folders)}, not a list`)
  return { files: files.map(readDataFile), folders: folders.map(readFolderName), marker: marker || undefined, read: readAcl(answer.acl) }
}

/** A sub-folder's name: one path segment that addresses that folder and nothing else. */
function readFolderName(entry: unknown, index: number): string {
  const name = isPlainObject(entry) ? entry.name : undefined
  if (typeof name !== 'string' || name === '' || name === '.' || name === '..' || name.includes('/')) {
    throw new AnswerShapeProblem(`folders[${index}] is ${quoteRemoteValue(entry)}, not a folder name`)
  }
  return name
}

function readDataFile(entry: unknown, index: number): DataFile {
  const where = `files[${index}]`
  if (!isPlainObject(entry)) throw new AnswerShapeProblem(`${where} is ${quoteRemoteValue(entry)}, not a file`)
  const { filename, size, last_modified: lastModified } = entry
  if (typeof filename !== 'string' || filename === '') {
    throw new AnswerShapeProblem(`${where}.filename is ${quoteRemoteValue(filename)}, not a file name`)
  }
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) {
    throw new AnswerShapeProblem(`${where}.size is ${quoteRemoteValue(size)}, not a number of bytes`)
  }
  if (typeof lastModified !== 'string') {
    throw new AnswerShapeProblem(`${where}.last_modified is ${quoteRemoteValue(lastModified)}, not a time`)
  }
  return { filename, size, last_modified: lastModified }
}

function readAcl(acl: unknown): readonly string[] | undefined {
  if (!isPlainObject(acl) || acl.read === undefined) return undefined
  if (!Array.isArray(acl.read) || !acl.read.every(entry => typeof entry === 'string')) {
    throw new AnswerShapeProblem(`acl.read is ${quoteRemoteValue(acl.read)}, not a list of grants`)
  }
  return acl.read as string[]
}
