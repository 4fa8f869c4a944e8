/**
 * expression — a safe evaluator for start numbers written as arithmetic: `2^1000-1`,
 * `3*(10^50+7)`, `2**64+1`. Integers, + − * ^ (or **), unary signs and parentheses; `^` is
 * right-associative (`2^3^2` = 2^9) and binds tighter than unary minus (`-2^2` = −4).
 *
 * Nothing is executed beyond bigint arithmetic, and each operation's result size is bounded
 * *before* it is computed (a product has at most bits(a)+bits(b) bits, a^b about
 * b·log2|a|), so `10^10^10` is refused at once with a clear message instead of exhausting
 * memory. Parsing (`parseExpression`, linear time, cheap enough for a request handler) is
 * separate from evaluation (`evaluateExpression`, may take a while for big powers).
 */
import { InvalidNumberError, NegativeExponentError, ResultTooLargeError } from '../../errors.js';
import { bitLength, log2 } from './magnitude.js';

export type Expression =
  | { readonly kind: 'number'; readonly digits: string }
  | { readonly kind: 'negate'; readonly operand: Expression }
  | { readonly kind: 'binary'; readonly op: '+' | '-' | '*' | '^'; readonly left: Expression; readonly right: Expression; readonly offset: number };

export interface EvaluateOptions {
  /** Largest allowed result of any operation, in decimal digits (default 1,000,000). */
  readonly maxDigits?: number;
}

const MAX_NESTING = 100;
const LOG2_10 = Math.log2(10);

interface Token {
  readonly type: 'number' | 'op' | '(' | ')' | 'end';
  readonly text: string;
  readonly offset: number;
}

function describe(text: string): string {
  return `expression "${text.length > 40 ? `${text.slice(0, 40)}...` : text}"`;
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r') {
      i++;
    } else if (ch >= '0' && ch <= '9') {
      let j = i + 1;
      while (j < text.length && text[j]! >= '0' && text[j]! <= '9') j++;
      tokens.push({ type: 'number', text: text.slice(i, j), offset: i });
      i = j;
    } else if (ch === '*' && text[i + 1] === '*') {
      tokens.push({ type: 'op', text: '^', offset: i });
      i += 2;
    } else if (ch === '+' || ch === '-' || ch === '*' || ch === '^') {
      tokens.push({ type: 'op', text: ch, offset: i });
      i++;
    } else if (ch === '(' || ch === ')') {
      tokens.push({ type: ch, text: ch, offset: i });
      i++;
    } else {
      const shown = ch === '.' ? "'.' (only integers are supported)" : `'${ch}'`;
      throw new InvalidNumberError(describe(text), i, `unexpected ${shown}; use digits, + - * ^ and parentheses`);
    }
  }
  tokens.push({ type: 'end', text: '', offset: text.length });
  return tokens;
}

/** Parses the text into an expression tree; syntax errors are InvalidNumberError with the offset. */
export function parseExpression(text: string): Expression {
  const tokens = tokenize(text);
  let position = 0;
  let depth = 0;
  const peek = (): Token => tokens[position]!;
  const fail = (token: Token, detail: string): never => {
    throw new InvalidNumberError(describe(text), token.offset, detail);
  };
  const found = (token: Token): string => (token.type === 'end' ? 'the end of the text' : `'${token.text}'`);

  function sum(): Expression {
    let left = product();
    for (let t = peek(); t.type === 'op' && (t.text === '+' || t.text === '-'); t = peek()) {
      position++;
      left = { kind: 'binary', op: t.text, left, right: product(), offset: t.offset };
    }
    return left;
  }
  function product(): Expression {
    let left = unary();
    for (let t = peek(); t.type === 'op' && t.text === '*'; t = peek()) {
      position++;
      left = { kind: 'binary', op: '*', left, right: unary(), offset: t.offset };
    }
    return left;
  }
  function unary(): Expression {
    const t = peek();
    if (t.type === 'op' && (t.text === '+' || t.text === '-')) {
      position++;
      const operand = nested(unary);
      return t.text === '-' ? { kind: 'negate', operand } : operand;
    }
    return power();
  }
  function power(): Expression {
    const base = atom();
    const t = peek();
    if (t.type === 'op' && t.text === '^') {
      position++;
      return { kind: 'binary', op: '^', left: base, right: nested(unary), offset: t.offset };
    }
    return base;
  }
  function atom(): Expression {
    const t = peek();
    if (t.type === 'number') {
      position++;
      return { kind: 'number', digits: t.text };
    }
    if (t.type === '(') {
      position++;
      const inner = nested(sum);
      if (peek().type !== ')') fail(peek(), `expected ')' to close the '(' at offset ${t.offset}, found ${found(peek())}`);
      position++;
      return inner;
    }
    return fail(t, `expected a number or '(', found ${found(t)}`);
  }
  function nested(parse: () => Expression): Expression {
    if (++depth > MAX_NESTING) fail(peek(), `nested more than ${MAX_NESTING} levels deep`);
    const result = parse();
    depth--;
    return result;
  }

  const tree = sum();
  if (peek().type !== 'end') fail(peek(), `unexpected ${found(peek())}`);
  return tree;
}

/**
 * Computes the value, refusing before any operation whose result would exceed `maxDigits`.
 * @param text the original text, to name it in errors
 */
export function evaluateExpression(tree: Expression, text: string, options: EvaluateOptions = {}): bigint {
  const maxDigits = options.maxDigits ?? 1_000_000;
  const maxBits = Math.ceil(maxDigits * LOG2_10);
  const tooLarge = (what: string, digits: number): never => {
    throw new ResultTooLargeError(
      `${describe(text)}: ${what} would have about ${Math.round(digits).toLocaleString('en-US')} digits; the limit is ${maxDigits.toLocaleString('en-US')}`,
    );
  };
  const digitsOfBits = (bits: number): number => bits / LOG2_10;

  function value(node: Expression): bigint {
    switch (node.kind) {
      case 'number': {
        const significant = node.digits.length - (/^0*/.exec(node.digits)?.[0].length ?? 0);
        if (significant > maxDigits) tooLarge(`a literal of ${significant} digits`, significant);
        return BigInt(node.digits);
      }
      case 'negate':
        return -value(node.operand);
      case 'binary': {
        const left = value(node.left);
        const right = value(node.right);
        return apply(node.op, left, right);
      }
    }
  }

  function apply(op: '+' | '-' | '*' | '^', left: bigint, right: bigint): bigint {
    const abs = (x: bigint): bigint => (x < 0n ? -x : x);
    switch (op) {
      case '+':
        return left + right;
      case '-':
        return left - right;
      case '*': {
        const bits = bitLength(abs(left)) + bitLength(abs(right));
        if (bits > maxBits + 1) tooLarge(`a product of ${digitsOf(left)}-digit and ${digitsOf(right)}-digit numbers`, digitsOfBits(bits));
        return left * right;
      }
      case '^': {
        if (right < 0n) throw new NegativeExponentError(right.toString());
        if (abs(left) <= 1n || right === 0n) return left ** right;
        // |a|^b ≥ 2^((bits(a)−1)·b): refuse on this lower bound before computing anything.
        const minBits = (bitLength(abs(left)) - 1) * Number(right);
        if (!(minBits <= maxBits)) tooLarge(`${shortText(left)}^${shortText(right)}`, Number(right) * log2(abs(left)) / LOG2_10);
        const result = left ** right;
        if (bitLength(abs(result)) > maxBits + 1) tooLarge(`${shortText(left)}^${shortText(right)}`, digitsOf(result));
        return result;
      }
    }
  }

  return value(tree);
}

function digitsOf(x: bigint): number {
  return Math.max(1, Math.ceil(bitLength(x < 0n ? -x : x) / LOG2_10));
}

function shortText(x: bigint): string {
  return bitLength(x < 0n ? -x : x) > 64 ? `(a ${digitsOf(x)}-digit number)` : x.toString();
}

/** Parses and evaluates in one go. */
export function evaluate(text: string, options: EvaluateOptions = {}): bigint {
  return evaluateExpression(parseExpression(text), text, options);
}
