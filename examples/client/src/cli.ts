import { startKdfEarly } from './early-kdf';

// The key derivation runs on the thread pool while the rest of the command line loads.
const early = startKdfEarly(process.argv.slice(2), process.env);
const { processIo } = await import('./io');
const { main } = await import('./main');

const controller = new AbortController();
let interrupted = false;
process.on('SIGINT', () => {
  if (interrupted) process.exit(130);
  interrupted = true;
  process.stderr.write(
    '\ninterrupted: finishing the current upload and saving what was done (Ctrl-C again to quit now)\n',
  );
  controller.abort(new Error('interrupted'));
});

process.exitCode = await main(process.argv.slice(2), processIo(controller.signal), { early });
