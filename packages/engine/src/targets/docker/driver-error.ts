/**
 * Turning Engine API failures into berth's DriverError. Every docker/*.ts call site wraps its
 * failure here, so the CLI always gets a code, the operation that failed, and the engine's own
 * message as `cause`.
 */
import { DriverError, type ErrorCode } from '@berth/core';

/** The HTTP status of a dockerode/docker-modem error, when the engine answered at all. */
export function statusOf(err: unknown): number | undefined {
  if (typeof err === 'object' && err !== null && 'statusCode' in err) {
    const s = (err as { statusCode: unknown }).statusCode;
    return typeof s === 'number' ? s : undefined;
  }
  return undefined;
}

/** The engine's error message (the JSON `message`), or the error's own message. */
export function engineMessage(err: unknown): string {
  if (typeof err === 'object' && err !== null) {
    const json = (err as { json?: unknown }).json;
    if (typeof json === 'object' && json !== null && typeof (json as { message?: unknown }).message === 'string') {
      return (json as { message: string }).message;
    }
    if (err instanceof Error) return err.message;
  }
  return String(err);
}

const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOENT', 'EACCES', 'ECONNRESET', 'EHOSTUNREACH', 'ETIMEDOUT', 'ENOTFOUND']);

/** Wraps any failure of `operation` (e.g. "create container web-1") as a DriverError. */
export function dockerError(
  operation: string,
  err: unknown,
  options: { resourceId?: string | undefined; code?: ErrorCode | undefined; hint?: string | undefined } = {},
): DriverError {
  if (DriverError.is(err) && err instanceof DriverError) return err;
  const sysCode = typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined;
  const unreachable = typeof sysCode === 'string' && UNREACHABLE.has(sysCode) && statusOf(err) === undefined;
  return new DriverError(
    options.code ?? (unreachable ? 'driver.unreachable' : 'driver.failed'),
    `docker: ${operation} failed: ${engineMessage(err)}`,
    {
      driver: 'docker',
      resourceId: options.resourceId,
      cause: err,
      hint:
        options.hint ??
        (unreachable
          ? 'is a Docker engine running? Check DOCKER_HOST, or run scripts/ensure-docker.sh'
          : undefined),
    },
  );
}

/** Runs `fn`, wrapping whatever it throws. */
export async function wrap<T>(operation: string, fn: () => Promise<T>, resourceId?: string): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw dockerError(operation, err, { resourceId });
  }
}

/** Runs `fn`; a 404 from the engine becomes `undefined` (the try* convention), other errors are wrapped. */
export async function tryWrap<T>(operation: string, fn: () => Promise<T>, resourceId?: string): Promise<T | undefined> {
  try {
    return await fn();
  } catch (err) {
    if (statusOf(err) === 404) return undefined;
    throw dockerError(operation, err, { resourceId });
  }
}
