// The restore page: sign in, open a repository with its password (key derivation in a worker),
// list snapshots, browse a snapshot folder by folder, search names, and download a file or a
// folder (zip). Everything secret stays in this module's memory; nothing is stored.
import { KluisError, type SnapshotRef, type TreeNode } from '@kluis/core';
import { arrowKeys, byId, el, row } from './dom';
import { explain } from './errors';
import { formatBytes, formatDuration, formatTime, normaliseRepoPath, Rate } from './format';
import { workerCrypto } from './kdf';
import { healthHint, Session } from './session';
import { openSink, prepareDownloads, type Sink } from './sinks';
import { downloadFolder, FileDownload, folderEntries } from './transfer';

interface State {
  session?: Session | undefined;
  closeKdf?: (() => void) | undefined;
  snapshot?: SnapshotRef | undefined;
  /** Folders from the snapshot's root to the one shown. */
  path: TreeNode[];
  /** The running transfer's controller (one transfer at a time) and the running search's. */
  busy: { transfer?: AbortController | undefined; search?: AbortController | undefined };
  resume?: (() => void) | undefined;
}
const state: State = { path: [], busy: {} };

const views = ['login-view', 'snapshots-view', 'browse-view'] as const;
function show(view: (typeof views)[number]): void {
  for (const v of views) byId(v).hidden = v !== view;
}

function status(text: string): void {
  byId('status').textContent = text;
}

async function fail(error: unknown, resume?: () => void): Promise<void> {
  const e = error as { code?: string };
  const hint = KluisError.is(error, 'UNAVAILABLE', 'TIMEOUT') ? await healthHint() : {};
  const x = explain(error, hint);
  byId('error-text').textContent = x.message;
  byId('error').hidden = false;
  document.body.dataset.error = e.code ?? 'ERROR';
  state.resume = x.retryable ? resume : undefined;
  byId('resume').hidden = state.resume === undefined;
  status('');
}

function clearError(): void {
  byId('error').hidden = true;
  delete document.body.dataset.error;
  state.resume = undefined;
}

async function login(e: SubmitEvent): Promise<void> {
  e.preventDefault();
  clearError();
  const field = (id: string) => byId<HTMLInputElement>(id);
  const button = byId<HTMLButtonElement>('open');
  button.disabled = true;
  const kdf = workerCrypto('./kdf-worker.js');
  try {
    status('Checking the account, then deriving the key in the background…');
    const session = await Session.open(
      {
        account: field('account').value.trim(),
        accountPassword: field('account-password').value,
        repository: normaliseRepoPath(field('repository').value),
        repositoryPassword: field('repository-password').value,
      },
      kdf.crypto,
    );
    field('repository-password').value = '';
    field('account-password').value = '';
    state.session = session;
    state.closeKdf = kdf.close;
    prepareDownloads();
    await showSnapshots();
  } catch (error) {
    kdf.close();
    await fail(error);
  } finally {
    button.disabled = false;
  }
}

async function showSnapshots(): Promise<void> {
  const session = state.session!;
  status('Reading snapshots…');
  const snapshots = await session.snapshots();
  byId('repository-name').textContent = session.repository;
  const body = byId<HTMLTableElement>('snapshots').tBodies[0]!;
  body.replaceChildren(
    ...snapshots.map((ref) => {
      const s = ref.snapshot;
      const open = el('button', formatTime(Date.parse(s.time)), { type: 'button', class: 'link' });
      open.setAttribute(
        'aria-label',
        `Browse the snapshot of ${formatTime(Date.parse(s.time))} (${ref.id.slice(0, 8)})`,
      );
      open.addEventListener('click', () => run(() => openSnapshot(ref)));
      const { filesNew, filesChanged, filesUnchanged, bytesTotal } = s.summary;
      const files = String(filesNew + filesChanged + filesUnchanged);
      return row([
        open,
        s.host,
        s.paths.join(', '),
        s.tags.join(', '),
        { num: files },
        { num: formatBytes(bytesTotal) },
      ]);
    }),
  );
  show('snapshots-view');
  status(`${snapshots.length} snapshot(s).`);
  body.querySelector('button')?.focus();
}

async function openSnapshot(ref: SnapshotRef): Promise<void> {
  state.snapshot = ref;
  state.path = [
    {
      name: '',
      type: 'dir',
      mode: 0o755,
      mtime: Date.parse(ref.snapshot.time),
      size: 0,
      subtree: ref.snapshot.tree,
    },
  ];
  byId('snapshot-name').textContent = `${formatTime(Date.parse(ref.snapshot.time))} (${ref.id.slice(0, 8)})`;
  show('browse-view');
  await showFolder();
}

function crumbs(): void {
  const items = state.path.map((dir, i) => {
    const label = i === 0 ? 'Snapshot root' : dir.name;
    const b = el('button', label, { type: 'button', class: 'link' });
    if (i === state.path.length - 1) b.setAttribute('aria-current', 'location');
    b.addEventListener('click', () => run(() => enter(state.path.slice(0, i + 1))));
    const li = el('li');
    li.append(b);
    return li;
  });
  byId('crumbs').replaceChildren(...items);
}

const order = (a: TreeNode, b: TreeNode) =>
  a.type === 'dir' && b.type !== 'dir'
    ? -1
    : b.type === 'dir' && a.type !== 'dir'
      ? 1
      : a.name.localeCompare(b.name);

/** Shows the folder at the end of `path` (folders from the snapshot's root). */
function enter(path: TreeNode[]): Promise<void> {
  state.path = path;
  return showFolder();
}

async function showFolder(): Promise<void> {
  const dir = state.path[state.path.length - 1]!;
  status('Loading the folder…');
  const nodes = (await state.session!.list(dir.subtree!)).sort(order);
  crumbs();
  const where = state.path.map((d) => d.name).join('/') || '/';
  byId('listing-caption').textContent = `Contents of ${where}`;
  byId<HTMLTableElement>('listing').tBodies[0]!.replaceChildren(...nodes.map((n) => nodeRow(n, n.name)));
  status(`${nodes.length} item(s) in ${where}.`);
  byId<HTMLTableElement>('listing').tBodies[0]!.querySelector('button')?.focus();
}

/** A listing row: name (opens a folder, downloads a file), size, time, and a download action. */
function nodeRow(n: TreeNode, label: string, open?: () => Promise<void>): HTMLTableRowElement {
  if (n.type === 'symlink')
    return row([`${label} → ${n.target ?? ''}`, { num: '' }, formatTime(n.mtime), '']);
  const isDir = n.type === 'dir';
  const name = el('button', isDir ? `${label}/` : label, { type: 'button', class: 'link' });
  name.setAttribute('aria-label', isDir ? `Open folder ${label}` : `Download ${label}`);
  name.addEventListener('click', () =>
    isDir ? run(open ?? (() => enter([...state.path, n]))) : downloadFile(n),
  );
  const action = el('button', isDir ? 'Download .zip' : 'Download', { type: 'button' });
  action.setAttribute('aria-label', isDir ? `Download folder ${label} as .zip` : `Download ${label}`);
  action.addEventListener('click', () => (isDir ? downloadZip(n) : downloadFile(n)));
  return row([name, { num: isDir ? '' : formatBytes(n.size) }, formatTime(n.mtime), action]);
}

async function search(e: SubmitEvent): Promise<void> {
  e.preventDefault();
  const query = byId<HTMLInputElement>('search').value.trim();
  if (query === '') return showFolder();
  const controller = begin('search');
  const body = byId<HTMLTableElement>('listing').tBodies[0]!;
  body.replaceChildren();
  byId('listing-caption').textContent = `Names matching ${query}`;
  status(`Searching for ${query}…`);
  let count = 0;
  for await (const { path, node } of state.session!.search(state.snapshot!, query, controller.signal)) {
    body.append(nodeRow(node, path, () => openPath(path)));
    count++;
  }
  status(`${count} match(es) for ${query}.`);
  body.querySelector('button')?.focus();
}

/** Opens a folder found by search: each folder on the way is read, from the root. */
async function openPath(path: string): Promise<void> {
  const chain = [state.path[0]!];
  for (const name of path.split('/')) {
    const next = (await state.session!.list(chain[chain.length - 1]!.subtree!)).find((n) => n.name === name);
    if (next?.type !== 'dir') throw new KluisError('NOT_FOUND', `${path} is no longer a folder here`);
    chain.push(next);
  }
  await enter(chain);
}

/** A new controller for a transfer or a search (the previous one of its kind is cancelled). */
function begin(kind: 'transfer' | 'search'): AbortController {
  state.busy[kind]?.abort();
  const controller = new AbortController();
  state.busy[kind] = controller;
  return controller;
}

function run(f: () => Promise<void>): void {
  clearError();
  // A search replaced by a newer one ends with ABORTED: nothing to tell.
  f().catch((e) => (KluisError.is(e, 'ABORTED') ? undefined : fail(e)));
}

/** Shows a transfer's progress: bytes, rate and time left, at most four times a second. */
function progress(name: string): (done: number, total: number) => void {
  byId('transfer').hidden = false;
  byId('transfer-name').textContent = name;
  document.body.dataset.transfer = 'running';
  byId('cancel').hidden = false;
  const rate = new Rate();
  let last = 0;
  return (done, total) => {
    const t = performance.now();
    rate.add(t, done);
    if (t - last < 250 && done < total) return;
    last = t;
    const bar = byId<HTMLProgressElement>('progress');
    bar.value = total > 0 ? done / total : 1;
    const speed = rate.bytesPerSecond;
    const left = formatDuration(rate.secondsLeft(done, total));
    byId('progress-text').textContent =
      `${formatBytes(done)} of ${formatBytes(total)} · ${speed > 0 ? `${formatBytes(speed)}/s` : '—'} · ${left} left`;
  };
}

function finished(name: string, bytes: number, started: number): void {
  const seconds = (performance.now() - started) / 1000;
  byId('progress-text').textContent = `Saved ${name}: ${formatBytes(bytes)} in ${formatDuration(seconds)}.`;
  byId<HTMLProgressElement>('progress').value = 1;
  document.body.dataset.transfer = 'done';
  byId('cancel').hidden = true;
  status(`Saved ${name}.`);
}

async function transferFailed(error: unknown, sink: Sink, resume?: () => void): Promise<void> {
  const retry = resume && KluisError.is(error) && error.retryable;
  if (!retry) await sink.abort(String(error)).catch(() => {});
  document.body.dataset.transfer = 'failed';
  byId('cancel').hidden = !retry;
  await fail(error, retry ? resume : undefined);
}

async function downloadFile(node: TreeNode): Promise<void> {
  clearError();
  let sink: Sink | undefined;
  try {
    sink = await openSink(node.name, node.size); // first: the save dialog needs the click
  } catch (e) {
    return fail(e);
  }
  if (!sink) return;
  const controller = begin('transfer');
  const started = performance.now();
  const job = new FileDownload(state.session!, node, sink, progress(node.name));
  const attempt = (): void => {
    clearError();
    job.run(controller.signal).then(
      () => finished(node.name, job.bytesWritten, started),
      (e) => transferFailed(e, sink, attempt),
    );
  };
  attempt();
}

async function downloadZip(node: TreeNode): Promise<void> {
  clearError();
  const name = `${node.name || `snapshot-${state.snapshot!.id.slice(0, 8)}`}.zip`;
  let sink: Sink | undefined;
  try {
    sink = await openSink(name, undefined);
  } catch (e) {
    return fail(e);
  }
  if (!sink) return;
  const controller = begin('transfer');
  const started = performance.now();
  const onProgress = progress(name);
  try {
    status(`Listing ${node.name || 'the snapshot'}…`);
    const listing = await folderEntries(state.session!, node, controller.signal);
    await downloadFolder(state.session!, listing, sink, onProgress, controller.signal);
    finished(name, listing.total, started);
  } catch (e) {
    await transferFailed(e, sink);
  }
}

function signOut(): void {
  state.busy.transfer?.abort();
  state.busy.search?.abort();
  state.closeKdf?.();
  Object.assign(state, { session: undefined, snapshot: undefined, path: [], closeKdf: undefined, busy: {} });
  byId<HTMLTableElement>('snapshots').tBodies[0]!.replaceChildren();
  byId<HTMLTableElement>('listing').tBodies[0]!.replaceChildren();
  byId('transfer').hidden = true;
  show('login-view');
  status('The repository is closed; its keys are gone from this page.');
}

function start(): void {
  byId<HTMLFormElement>('login-form').addEventListener('submit', (e) => void login(e));
  byId<HTMLFormElement>('search-form').addEventListener('submit', (e) => run(() => search(e)));
  byId('sign-out').addEventListener('click', signOut);
  byId('back-to-snapshots').addEventListener('click', () => run(showSnapshots));
  byId('zip-folder').addEventListener('click', () => void downloadZip(state.path[state.path.length - 1]!));
  byId('cancel').addEventListener('click', () => state.busy.transfer?.abort());
  byId('resume').addEventListener('click', () => state.resume?.());
  arrowKeys(byId<HTMLTableElement>('snapshots'));
  arrowKeys(byId<HTMLTableElement>('listing'));
  document.body.dataset.ready = 'true';
}

start();
