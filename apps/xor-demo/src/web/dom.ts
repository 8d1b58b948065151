// Tiny DOM helpers: find an element the page must have, and build elements in one call.

/** The element with this id, of this type; a missing one is a bug in index.html, so it throws. */
export function byId<T extends HTMLElement = HTMLElement>(id: string, type?: new () => T): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`page: no element #${id}`);
  if (type && !(el instanceof type)) throw new Error(`page: #${id} is a <${el.tagName.toLowerCase()}>`);
  return el as T;
}

type Child = Node | string | null | undefined | false;

/** `h('p', { class: 'hint' }, 'text', h('b', {}, 'bold'))`. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  for (const c of children) if (c !== null && c !== undefined && c !== false) el.append(c);
  return el;
}

/** Replaces a select's options; keeps `selected` if it is one of them, else the first. */
export function setOptions(select: HTMLSelectElement, options: readonly { value: string; label: string }[], selected?: string): void {
  select.replaceChildren(...options.map((o) => h('option', { value: o.value }, o.label)));
  if (selected !== undefined && options.some((o) => o.value === selected)) select.value = selected;
}

/** The children that are there: `el.replaceChildren(...present(a, cond && b))`. */
export function present<T>(...items: (T | null | undefined | false)[]): T[] {
  return items.filter((x): x is T => x !== null && x !== undefined && x !== false);
}

/** Text safe inside HTML (element content and quoted attributes). */
export function escapeText(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
