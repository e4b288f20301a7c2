/** Process entry: wires the real process into `main` and exits with its code. */
import { startBundle } from './load/bundle.ts';

// esbuild bundles cluster.ts in its own process while this one loads the CLI's modules.
startBundle(process.argv.slice(2), process.cwd());

const controller = new AbortController();
let interrupts = 0;
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    interrupts++;
    // First signal: let the running step finish and journal; a second one exits at once.
    if (interrupts > 1) process.exit(130);
    controller.abort(new Error(`interrupted by ${sig}`));
  });
}

// A reader that went away (`berth status | head`) is not an error of the command: stop
// writing and let it finish — a deploy must not die halfway because its output is unread.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE' && e.code !== 'ERR_STREAM_DESTROYED') throw e;
  });
}

const env = process.env;
const color = !('NO_COLOR' in env) && (Boolean(process.stdout.isTTY) || ('FORCE_COLOR' in env && env['FORCE_COLOR'] !== '0'));

void run();

async function run(): Promise<void> {
  const { main } = await import('./main.ts');
  const code = await main(process.argv.slice(2), {
    cwd: process.cwd(),
    env,
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    color,
    signal: controller.signal,
  });
  process.exitCode = code;
  // Exit as soon as the output is out rather than when node has torn everything down: after a
  // large synth, a natural exit spends ~30 ms freeing the heap and waiting for the garbage
  // collector's and compiler's background tasks; sockets a driver kept alive would hold it too.
  // Piped output may still be queued (a slow reader), so wait for both streams to flush first.
  await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
  process.exit(code);
}

function flushed(stream: NodeJS.WriteStream): Promise<void> {
  // A write's callback runs once it and everything written before it went out.
  return new Promise((done) => {
    if (stream.writableLength === 0 || stream.destroyed || stream.writableEnded) return done();
    stream.once('error', () => done());
    stream.write('', () => done());
  });
}
