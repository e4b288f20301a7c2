/**
 * The Engine's progress streams (build, load, pull) are newline-delimited JSON sent with HTTP 200,
 * even when the operation fails: the failure is an `{"error": ..., "errorDetail": ...}` object
 * in the stream. So these streams must be read to the end and inspected, never judged by status.
 */

/** Calls `onObject` for every JSON object in the stream; resolves at its end. Non-JSON lines are passed as `{ stream: line }`. */
export function readJsonLines(stream: NodeJS.ReadableStream, onObject: (obj: Record<string, unknown>) => void, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    let buf = '';
    const flush = (line: string): void => {
      const t = line.trim();
      if (t === '') return;
      try {
        const v: unknown = JSON.parse(t);
        onObject(typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : { stream: t });
      } catch {
        onObject({ stream: t });
      }
    };
    const onAbort = (): void => {
      (stream as NodeJS.ReadableStream & { destroy?: (e?: unknown) => void }).destroy?.();
      reject(signal?.reason);
    };
    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      buf += chunk;
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        flush(buf.slice(0, nl));
        buf = buf.slice(nl + 1);
      }
    });
    stream.on('end', () => {
      flush(buf);
      signal?.removeEventListener('abort', onAbort);
      resolve();
    });
    stream.on('error', (err) => {
      signal?.removeEventListener('abort', onAbort);
      reject(err);
    });
  });
}

/** The error message of a progress object, if it reports one. */
export function progressError(obj: Record<string, unknown>): string | undefined {
  const detail = obj['errorDetail'];
  if (typeof detail === 'object' && detail !== null && typeof (detail as { message?: unknown }).message === 'string') {
    return (detail as { message: string }).message;
  }
  return typeof obj['error'] === 'string' ? obj['error'] : undefined;
}
