/**
 * Hides the password of every URL in `text` (`https://hook:token@alerts.example.org/` →
 * `https://hook:***@alerts.example.org/`), so no log line or message of the server shows it. The
 * password runs to the last `@` before the host, as URL parsers read it.
 *
 * @example
 * ```ts
 * log(redact(`alert webhook ${url} failed`));
 * ```
 */
export function redact(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/)([^\s/?#@:]*):[^\s/?#]*@/gi, '$1$2:***@');
}
