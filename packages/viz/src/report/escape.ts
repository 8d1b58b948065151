// Text safe inside HTML and SVG: the five characters that could end an element or an attribute.
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
