/** The small XML writer the query protocol needs: elements, `<member>` lists, escaped text. */
import type { XmlValue } from "./service.js";

const escapes: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&apos;",
};

export function escapeXml(text: string): string {
  return /[&<>"']/.test(text) ? text.replace(/[&<>"']/g, (c) => escapes[c] ?? c) : text;
}

/** Writes `value` as the children of an element (the caller writes the element itself). */
export function writeXmlChildren(value: XmlValue): string {
  if (value === null || value === undefined) return "";
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map((item) => `<member>${writeXmlChildren(item)}</member>`).join("");
  if (typeof value === "object") {
    let out = "";
    for (const name in value) {
      const child = Object.hasOwn(value, name) ? value[name] : undefined;
      if (child === undefined) continue;
      out += `<${name}>${writeXmlChildren(child)}</${name}>`;
    }
    return out;
  }
  return escapeXml(String(value));
}
