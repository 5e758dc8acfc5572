/** SQL tokens (https://www.sqlite.org/lang_expr.html#literal_values_constants_, lang_keywords.html). */
export type Token =
  | { k: "id"; v: string; quoted: boolean; pos: number }
  | { k: "str"; v: string; pos: number }
  | { k: "blob"; v: Uint8Array; pos: number }
  | { k: "num"; v: string; pos: number }
  | { k: "op"; v: string; pos: number }
  | { k: "eof"; v: ""; pos: number };

const OPS = ["||", "<=", ">=", "==", "!=", "<>", "<<", ">>", "(", ")", ",", ".", ";", "+", "-", "*", "/", "%", "<", ">", "=", "&", "|", "~"];

export class SqlError extends Error {}

/** A constraint that a write would break (SQLITE_CONSTRAINT, result code 19): sqlite3 reports it as a runtime error. */
export class ConstraintError extends SqlError {}

export function tokenize(sql: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < sql.length) {
    const c = sql[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === "-" && sql[i + 1] === "-") {
      while (i < sql.length && sql[i] !== "\n") i++;
      continue;
    }
    if (c === "/" && sql[i + 1] === "*") {
      const end = sql.indexOf("*/", i + 2);
      i = end < 0 ? sql.length : end + 2;
      continue;
    }
    const pos = i;
    if ((c === "x" || c === "X") && sql[i + 1] === "'") {
      const end = sql.indexOf("'", i + 2);
      if (end < 0) throw new SqlError(`unrecognized token: "${sql.slice(i)}"`);
      const hex = sql.slice(i + 2, end);
      if (hex.length % 2 || /[^0-9a-fA-F]/.test(hex)) throw new SqlError(`unrecognized token: "${sql.slice(i, end + 1)}"`);
      out.push({ k: "blob", v: Uint8Array.from(Buffer.from(hex, "hex")), pos });
      i = end + 1;
      continue;
    }
    if (/[A-Za-z_]/.test(c) || c.charCodeAt(0) > 127) {
      let j = i + 1;
      while (j < sql.length && (/[A-Za-z0-9_$]/.test(sql[j]!) || sql.charCodeAt(j) > 127)) j++;
      out.push({ k: "id", v: sql.slice(i, j), quoted: false, pos });
      i = j;
      continue;
    }
    if (/[0-9]/.test(c) || (c === "." && /[0-9]/.test(sql[i + 1] ?? ""))) {
      const m = /^(0[xX][0-9a-fA-F]+|(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?)/.exec(sql.slice(i))!;
      out.push({ k: "num", v: m[0], pos });
      i += m[0].length;
      continue;
    }
    if (c === "'" || c === '"' || c === "`" || c === "[") {
      const close = c === "[" ? "]" : c;
      let j = i + 1;
      let s = "";
      for (;;) {
        if (j >= sql.length) throw new SqlError(`unrecognized token: "${sql.slice(i)}"`);
        if (sql[j] === close) {
          if (close !== "]" && sql[j + 1] === close) {
            s += close;
            j += 2;
            continue;
          }
          break;
        }
        s += sql[j];
        j++;
      }
      i = j + 1;
      out.push(c === "'" ? { k: "str", v: s, pos } : { k: "id", v: s, quoted: true, pos });
      continue;
    }
    const op = OPS.find((o) => sql.startsWith(o, i));
    if (!op) throw new SqlError(`unrecognized token: "${c}"`);
    out.push({ k: "op", v: op, pos });
    i += op.length;
  }
  out.push({ k: "eof", v: "", pos: sql.length });
  return out;
}
