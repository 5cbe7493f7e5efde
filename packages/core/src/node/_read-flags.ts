// How files are opened for reading, by fsSource and by the whole-file encoder threads alike.
import { constants } from 'node:fs';

/**
 * Non-blocking open, where the system has it: a regular file is unaffected, but should a file be
 * swapped for a FIFO after it was listed, opening and reading it fails at once instead of waiting
 * forever for a writer.
 */
export const READ_FLAGS =
  constants.O_NONBLOCK === undefined ? 'r' : constants.O_RDONLY | constants.O_NONBLOCK;
