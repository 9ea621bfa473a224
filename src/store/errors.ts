// API errors as AWS JSON 1.1 reports them: `__type` selects the SDK exception class, so the
// type names and HTTP statuses here must match what Secrets Manager itself returns.
export type ApiError = Error & { type: string; status: number };

export function apiError(type: string, message: string, status = 400): ApiError {
  return Object.assign(new Error(message), { type, status });
}

export function isApiError(e: unknown): e is ApiError {
  return e instanceof Error && typeof (e as ApiError).type === 'string' && typeof (e as ApiError).status === 'number';
}

export const notFound = (message = "Secrets Manager can't find the specified secret."): never => {
  throw apiError('ResourceNotFoundException', message);
};
export const invalidParameter = (message: string): never => {
  throw apiError('InvalidParameterException', message);
};
export const invalidRequest = (message: string): never => {
  throw apiError('InvalidRequestException', message);
};
export const exists = (message: string): never => {
  throw apiError('ResourceExistsException', message);
};
// Violations of the API model's own constraints (lengths, ranges, patterns): AWS reports these
// as ValidationException, which the SDK surfaces as a generic service exception of that name.
export const validation = (message: string): never => {
  throw apiError('ValidationException', message);
};
