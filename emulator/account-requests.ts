// Validation of user and organization create bodies, with the spec's field
// rules: users need a username and an email; organizations a name, label,
// contact name, email and type id.
import { ErrorCode, apiError, invalidRequest, validationError } from './errors.js'
import { accountNameProblem } from './state.js'

const EMAIL_PATTERN = /^[a-zA-Z0-9._%+-]+@[a-zA-Z0-9.-]+[.][a-zA-Z]{2,6}$/

export interface UserCreateRequest {
  username: string
  email: string
  fullname?: string
  company_name?: string
  company_role?: string
}

export interface OrgCreateRequest {
  org_name: string
  org_label: string
  org_contact_name: string
  org_email: string
  org_url?: string
  type_id: string
}

type Body = Record<string, unknown>

function bodyObject(body: unknown): Body {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw invalidRequest('Request body must be a JSON object')
  }
  return body as Body
}

function requirePresent(body: Body, fields: string[]): void {
  const missing = fields.filter(field => body[field] === undefined || body[field] === null || body[field] === '')
  if (missing.length) throw apiError(400, ErrorCode.missingRequiredFields, `Missing required fields: ${missing.join(', ')}`)
}

function text(body: Body, field: string, maxLength: number): string | undefined {
  const value = body[field]
  if (value === undefined || value === null) return undefined
  if (typeof value !== 'string') throw validationError(`'${field}' must be a string`)
  if (value.length > maxLength) throw validationError(`'${field}' must be at most ${maxLength} characters`)
  return value
}

function email(body: Body, field: string): string {
  const value = text(body, field, 100)!
  if (!EMAIL_PATTERN.test(value)) throw validationError(`'${field}' is not a valid email address`)
  return value
}

function accountName(body: Body, field: string): string {
  const problem = accountNameProblem(body[field])
  if (problem) throw validationError(problem)
  return body[field] as string
}

export function parseUserCreate(raw: unknown): UserCreateRequest {
  const body = bodyObject(raw)
  requirePresent(body, ['username', 'email'])
  return {
    username: accountName(body, 'username'),
    email: email(body, 'email'),
    fullname: text(body, 'fullname', 100),
    company_name: text(body, 'company_name', 100),
    company_role: text(body, 'company_role', 200)
  }
}

export function parseOrgCreate(raw: unknown): OrgCreateRequest {
  const body = bodyObject(raw)
  requirePresent(body, ['org_name', 'org_label', 'org_contact_name', 'org_email', 'type_id'])
  // The spec gives org_contact_name an identifier pattern, yet its own example
  // is "Example User": a person's name is accepted as written.
  return {
    org_name: accountName(body, 'org_name'),
    org_label: text(body, 'org_label', 100)!,
    org_contact_name: text(body, 'org_contact_name', 100)!,
    org_email: email(body, 'org_email'),
    org_url: text(body, 'org_url', 100),
    type_id: text(body, 'type_id', 100)!
  }
}
