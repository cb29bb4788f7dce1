/**
 * Exact decimal conversion for Arrow's Decimal types (two's complement integers of 128 or 256
 * bits, little-endian 32-bit words, scaled by 10^scale). Values that would need rounding or do
 * not fit the precision are refused with a RangeError; nothing is silently changed.
 */

/**
 * Parses decimal text (`-123.4500`, `1e-3`) into its unscaled value at `scale`. Fractional
 * digits beyond the scale are refused unless they are zeros.
 *
 * @example
 * ```ts
 * decimalStringToBigInt('-1.5', 3); // -1500n
 * ```
 */
export function decimalStringToBigInt(text: string, scale: number): bigint {
  const m = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(text.trim());
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) throw new RangeError(`Not a decimal number: ${JSON.stringify(text.slice(0, 60))}`);
  let digits = (m[2] ?? '') + (m[3] ?? '');
  const shift = -(m[3] ?? '').length + (m[4] ? Number(m[4]) : 0) + scale;
  if (shift >= 0) digits += '0'.repeat(shift);
  else {
    const cut = digits.slice(Math.max(0, digits.length + shift));
    if (/[1-9]/.test(cut)) throw new RangeError(`Decimal ${JSON.stringify(text.slice(0, 60))} has more than ${scale} fractional digits`);
    digits = digits.slice(0, Math.max(0, digits.length + shift));
  }
  const value = BigInt(digits === '' ? '0' : digits);
  return m[1] === '-' ? -value : value;
}

/**
 * The unscaled value at `scale` of a decimal given as text, a bigint (an integer: `5n` is 5) or
 * a finite number (its shortest round-trip text, so `0.1` is exactly 0.1).
 */
export function decimalToUnscaled(value: unknown, scale: number): bigint {
  if (typeof value === 'bigint') return value * 10n ** BigInt(scale);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new RangeError(`A decimal cannot hold ${value}`);
    return decimalStringToBigInt(String(value), scale);
  }
  if (typeof value === 'string') return decimalStringToBigInt(value, scale);
  if (typeof value === 'boolean') return (value ? 1n : 0n) * 10n ** BigInt(scale);
  // Driver decimal objects (e.g. Decimal.js, big.js) print their exact value.
  return decimalStringToBigInt(String(value), scale);
}

/** Throws when `unscaled` has more than `precision` digits. */
export function checkDecimalPrecision(unscaled: bigint, precision: number, scale: number): void {
  const limit = 10n ** BigInt(precision);
  if (unscaled >= limit || unscaled <= -limit) {
    throw new RangeError(`${bigIntToDecimalString(unscaled, scale)} does not fit DECIMAL(${precision}, ${scale})`);
  }
}

/** Writes `unscaled` as `words` little-endian 32-bit two's complement words at `offset`. */
export function writeDecimalWords(unscaled: bigint, out: Uint32Array, offset: number, words: number): void {
  let v = BigInt.asUintN(words * 32, unscaled);
  for (let i = 0; i < words; i++) {
    out[offset + i] = Number(v & 0xffffffffn);
    v >>= 32n;
  }
}

/** Reads the unscaled value of row `index` from decimal words (`words` per value: 4 = 128 bits). */
export function decimalWordsToBigInt(values: Uint32Array, index: number, words = 4): bigint {
  const o = index * words;
  let v = 0n;
  for (let i = words - 1; i >= 0; i--) v = (v << 32n) | BigInt(values[o + i]!);
  return BigInt.asIntN(words * 32, v);
}

/** Renders an unscaled decimal value as text with `scale` fractional digits. */
export function bigIntToDecimalString(value: bigint, scale: number): string {
  const negative = value < 0n;
  let digits = (negative ? -value : value).toString();
  if (scale > 0) {
    digits = digits.padStart(scale + 1, '0');
    digits = `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
  }
  return negative ? `-${digits}` : digits;
}

/**
 * The unscaled value of a plain decimal string (`-123.45`) when it fits a safe integer and has
 * at most `scale` fractional digits; `undefined` otherwise (the bigint path handles the rest).
 * Drivers send most decimals this small; skipping bigint math makes them several times faster.
 */
export function smallDecimal(text: string, scale: number): number | undefined {
  const len = text.length;
  if (len === 0 || len > 16) return undefined;
  let i = 0;
  let negative = false;
  const first = text.charCodeAt(0);
  if (first === 45 || first === 43) {
    negative = first === 45;
    i = 1;
  }
  let value = 0;
  let fraction = -1;
  let digits = 0;
  for (; i < len; i++) {
    const c = text.charCodeAt(i);
    if (c === 46) {
      if (fraction >= 0) return undefined;
      fraction = 0;
      continue;
    }
    const d = c - 48;
    if (d < 0 || d > 9) return undefined;
    value = value * 10 + d;
    digits++;
    if (fraction >= 0) fraction++;
  }
  if (digits === 0) return undefined;
  const fractionDigits = fraction < 0 ? 0 : fraction;
  if (fractionDigits > scale) return undefined;
  value *= 10 ** (scale - fractionDigits);
  if (!Number.isSafeInteger(value)) return undefined;
  return negative ? -value : value;
}

/** Writes a safe-integer unscaled value as four 32-bit two's complement words, without bigint math. */
export function writeSmallDecimal128(small: number, out: Uint32Array, o: number): void {
  const negative = small < 0;
  const magnitude = negative ? -small : small;
  let lo = magnitude % 4294967296;
  let hi = Math.floor(magnitude / 4294967296);
  if (negative) {
    lo = (4294967296 - lo) % 4294967296;
    hi = 4294967295 - hi + (lo === 0 ? 1 : 0);
  }
  out[o] = lo;
  out[o + 1] = hi >>> 0;
  out[o + 2] = negative ? 4294967295 : 0;
  out[o + 3] = negative ? 4294967295 : 0;
}

/**
 * Encodes a decimal (string, number or bigint) as the little-endian 32-bit words Arrow stores,
 * exactly: a value with more fractional digits than `scale`, or more digits than `precision`
 * (when given), is refused with a RangeError.
 *
 * @example
 * ```ts
 * encodeDecimal('-0.0000000001', 10, 128); // Uint32Array [4294967295, 4294967295, 4294967295, 4294967295]
 * ```
 */
export function encodeDecimal(value: unknown, scale: number, bitWidth: number, precision?: number): Uint32Array {
  const unscaled = decimalToUnscaled(value, scale);
  if (precision !== undefined) checkDecimalPrecision(unscaled, precision, scale);
  const words = new Uint32Array(bitWidth / 32);
  writeDecimalWords(unscaled, words, 0, words.length);
  return words;
}
