import type { ServerResponse } from 'node:http';
import type { AppError } from '../errors';
import { formatAppError } from './format-error';

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
}

/** A refusal made before GraphQL runs, with the status the error table gives it. */
export function sendAppError(res: ServerResponse, error: AppError): void {
  sendJson(res, error.status, { errors: [formatAppError(error)] });
}
