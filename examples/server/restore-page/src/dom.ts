// Small DOM helpers: elements are built with textContent only (no HTML strings anywhere).

/** The element with `id`, which the page must have. */
export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const e = document.getElementById(id);
  if (!e) throw new Error(`the page has no #${id}`);
  return e as T;
}

/** `<tag>` with text and attributes. */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  text?: string,
  attrs: Record<string, string> = {},
): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = text;
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  return e;
}

/** A table row of cells; `num` cells are right-aligned figures. */
export function row(cells: (string | HTMLElement | { num: string })[]): HTMLTableRowElement {
  const tr = el('tr');
  for (const c of cells) {
    const td = el('td');
    if (typeof c === 'string') td.textContent = c;
    else if (c instanceof HTMLElement) td.append(c);
    else {
      td.textContent = c.num;
      td.className = 'num';
    }
    tr.append(td);
  }
  return tr;
}

/**
 * Arrow keys move between the first buttons of a table's rows (Home / End to the ends), so a
 * long listing is walked without tabbing through every action.
 */
export function arrowKeys(table: HTMLTableElement): void {
  table.addEventListener('keydown', (e) => {
    if (!['ArrowDown', 'ArrowUp', 'Home', 'End'].includes(e.key)) return;
    const buttons = [...table.tBodies[0]!.rows]
      .map((r) => r.querySelector('button'))
      .filter((b) => b !== null);
    const at = buttons.indexOf(document.activeElement as HTMLButtonElement);
    if (at < 0) return;
    const to =
      e.key === 'Home' ? 0 : e.key === 'End' ? buttons.length - 1 : at + (e.key === 'ArrowDown' ? 1 : -1);
    const target = buttons[Math.max(0, Math.min(buttons.length - 1, to))];
    if (!target) return;
    e.preventDefault();
    target.focus();
  });
}
