// How Redis 7.0 writes a double in a reply (addReplyDouble): the text of a
// RESP2 bulk string and of a RESP3 double are the same.

/**
 * A score as Redis 7.0 replies it (addReplyDouble, RESP2): "inf"/"-inf", else
 * printf("%.17g"): 17 significant digits, trailing zeros dropped, exponent
 * form below 1e-4 and from 1e17 on. 0.1 is "0.10000000000000001".
 */
export function formatScore(d: number): string {
  if (d === Infinity) return "inf";
  if (d === -Infinity) return "-inf";
  if (d === 0) return Object.is(d, -0) ? "-0" : "0";
  const [mantissa, expText] = d.toExponential(16).split("e") as [string, string];
  const exp = Number(expText);
  const sign = d < 0 ? "-" : "";
  const digits = mantissa.replace(/^-/, "").replace(".", "");
  const trim = (s: string) => s.replace(/0+$/, "");
  if (exp < -4 || exp >= 17) {
    const frac = trim(digits.slice(1));
    return `${sign}${digits[0]}${frac ? `.${frac}` : ""}e${exp < 0 ? "-" : "+"}${String(Math.abs(exp)).padStart(2, "0")}`;
  }
  const whole = exp >= 0 ? digits.slice(0, exp + 1) : "0";
  const frac = trim(exp >= 0 ? digits.slice(exp + 1) : "0".repeat(-exp - 1) + digits);
  return `${sign}${whole}${frac ? `.${frac}` : ""}`;
}
