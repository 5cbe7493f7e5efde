import { processIo } from './io';
import { main } from './main';

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

process.exitCode = await main(process.argv.slice(2), processIo(controller.signal));
