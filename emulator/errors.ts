// Errors carry the exact HTTP status and JSON body the real API would send, so
// service code can throw them and both the HTTP layer and the in-process API
// surface the same information.

export const ErrorCode = {
  algorithmNameTaken: 1002,
  versionAlreadyPublished: 1007,
  buildNotFound: 1010,
  buildLogsNotFound: 1011,
  notAuthorized: 2001,
  notAuthenticated: 2002,
  malformedJson: 2013,
  invalidRequest: 2015,
  userNotFound: 3000,
  usernameTaken: 3003,
  emailTaken: 3004,
  missingRequiredFields: 3005,
  organizationNotFound: 3100,
  organizationExists: 3101,
  organizationTypeNotFound: 3108,
  unknownLanguage: 4001,
  internal: 5001,
  invalidMarker: 5002,
  invalidLimit: 5003,
  validation: 6001
} as const

export type ErrorBody = { error: { code: number; message: string } } | { error: string }

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: ErrorBody
  ) {
    super(typeof body.error === 'string' ? body.error : body.error.message)
    this.name = 'ApiError'
  }
}

export function apiError(status: number, code: number, message: string): ApiError {
  return new ApiError(status, { error: { code, message } })
}

/** The one error the API reports as a bare string rather than {code, message}. */
export function noSuchAlgorithm(): ApiError {
  return new ApiError(404, { error: 'No such algorithm' })
}

export function notAuthenticated(): ApiError {
  return apiError(401, ErrorCode.notAuthenticated, 'Unknown or invalid API key')
}

export function notAuthorized(): ApiError {
  return apiError(403, ErrorCode.notAuthorized, 'Caller is not authorized to perform the operation')
}

export function validationError(message: string): ApiError {
  return apiError(400, ErrorCode.validation, message)
}

export function invalidRequest(message: string, status = 400): ApiError {
  return apiError(status, ErrorCode.invalidRequest, message)
}
