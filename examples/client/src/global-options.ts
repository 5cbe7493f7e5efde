// The options every command takes, apart from the commands so that `kluis --help` loads no more
// than this (see main.ts).
import type { Options } from './options';

export const GLOBAL_OPTIONS = {
  repo: {
    type: 'string',
    short: 'r',
    arg: 'R',
    help: 'The repository: a directory, s3:https://host/bucket/prefix or an http(s) URL (default: KLUIS_REPOSITORY).',
  },
  'password-file': {
    type: 'string',
    arg: 'F',
    help: 'Read the repository password from this file, less its final newline (default: KLUIS_PASSWORD_FILE).',
  },
  json: { type: 'boolean', help: 'Print the result as JSON on standard output.' },
  debug: { type: 'boolean', help: 'Print the stack of an error as well as its message.' },
  'no-cache': {
    type: 'boolean',
    help: 'Read index files, snapshots and trees from the repository, not the local cache.',
  },
  help: { type: 'boolean', short: 'h', help: 'Show the help of the command and exit.' },
  'password-command': {
    type: 'string',
    arg: 'CMD',
    help: 'Run this shell command and use what it prints (less its final newline) as the password (default: KLUIS_PASSWORD_COMMAND).',
  },
  quiet: {
    type: 'boolean',
    short: 'q',
    help: 'No progress bars and no summaries: only errors and what was asked for.',
  },
  verbose: {
    type: 'boolean',
    short: 'v',
    multiple: true,
    help: 'More detail: backup lists new and changed files (-vv: every file).',
  },
} as const satisfies Options;
