/**
 * expression — a safe evaluator for start numbers written as arithmetic: `2^1000-1`,
 * `3*(10^50+7)`, `2**64+1`. Integers, + − * ^ (or **), unary signs and parentheses; `^` is
 * right-associative (`2^3^2` = 2^9) and binds tighter than unary minus (`-2^2` = −4).
 *
 * Nothing is executed beyond bigint arithmetic, and each operation's result size is bounded
 * *before* it is computed (a product has at most bits(a)+bits(b) bits, a^b about
 * b·log2|a|), so `10^10^10` is refused at once with a clear message instead of exhausting
 * memory. Parsing (`parseExpression`) is separate from evaluation (`evaluateExpression`, may
 * take a while for big powers).
 *
 * Work limit: parsing stops at `maxTokens` tokens (default 10,000: far more than anyone types,
 * far fewer than a pasted 2 MiB `1+1+…+1`), so it costs O(maxTokens + literal digits) whatever
 * the text — a web request handler may call it on the main thread. Nesting is capped too
 * (MAX_NESTING), so the recursive descent is at most ~6·MAX_NESTING frames deep; long flat sums
 * and products are loops, and evaluation walks the tree with an explicit stack, so no input can
 * exhaust the call stack.
 */
import { InvalidNumberError, NegativeExponentError, NumberTooLargeError, ResultTooLargeError } from '../../errors.js';
import { bitLength, log2 } from './magnitude.js';

export type Expression =
  | { readonly kind: 'number'; readonly digits: string }
  | { readonly kind: 'negate'; readonly operand: Expression }
  | { readonly kind: 'binary'; readonly op: '+' | '-' | '*' | '^'; readonly left: Expression; readonly right: Expression; readonly offset: number };

export interface ParseOptions {
  /** Most tokens (numbers, operators, parentheses) accepted (default 10,000). */
  readonly maxTokens?: number;
  /** Refuse at parse time any literal with more significant digits than this (default: no check here). */
  readonly maxDigits?: number;
}

export interface EvaluateOptions extends ParseOptions {
  /** Largest allowed result of any operation, in decimal digits (default 1,000,000). */
  readonly maxDigits?: number;
}

/** Default work limit of the parser, in tokens. */
export const MAX_TOKENS = 10_000;

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

function literalTooLarge(text: string, significant: number, maxDigits: number): ResultTooLargeError {
  return new ResultTooLargeError(
    `${describe(text)}: a literal of ${significant.toLocaleString('en-US')} digits; the limit is ${maxDigits.toLocaleString('en-US')}`,
  );
}

function tokenize(text: string, options: ParseOptions): Token[] {
  const maxTokens = options.maxTokens ?? MAX_TOKENS;
  const maxDigits = options.maxDigits ?? Infinity;
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (tokens.length >= maxTokens && ch !== ' ' && ch !== '\t' && ch !== '\n' && ch !== '\r') {
      throw new NumberTooLargeError(
        `${describe(text)} has more than ${maxTokens.toLocaleString('en-US')} numbers, operators and parentheses; ` +
          `write it shorter (for example n*k instead of a sum of k equal terms)`,
      );
    }
    if (ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r') {
      i++;
    } else if (ch >= '0' && ch <= '9') {
      let j = i + 1;
      while (j < text.length && text[j]! >= '0' && text[j]! <= '9') j++;
      if (j - i > maxDigits) {
        let zeros = i;
        while (zeros < j && text[zeros] === '0') zeros++;
        if (j - zeros > maxDigits) throw literalTooLarge(text, j - zeros, maxDigits);
      }
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

/**
 * Parses the text into an expression tree, in O(maxTokens + digits) time whatever the text.
 * @throws InvalidNumberError for a syntax error, with the offset
 * @throws NumberTooLargeError beyond `maxTokens` tokens; ResultTooLargeError for a literal over `maxDigits`
 * @example parseExpression('2^1000-1')
 */
export function parseExpression(text: string, options: ParseOptions = {}): Expression {
  const tokens = tokenize(text, options);
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

  function literal(digits: string): bigint {
    const significant = digits.length - (/^0*/.exec(digits)?.[0].length ?? 0);
    if (significant > maxDigits) tooLarge(`a literal of ${significant} digits`, significant);
    return BigInt(digits);
  }

  // Post-order walk with an explicit stack: a flat sum of thousands of terms is a left-deep tree
  // that deep, which recursion could not walk.
  function value(root: Expression): bigint {
    const work: Array<{ readonly node: Expression; readonly ready: boolean }> = [{ node: root, ready: false }];
    const values: bigint[] = [];
    while (work.length > 0) {
      const { node, ready } = work.pop()!;
      if (node.kind === 'number') {
        values.push(literal(node.digits));
      } else if (!ready) {
        work.push({ node, ready: true });
        if (node.kind === 'negate') {
          work.push({ node: node.operand, ready: false });
        } else {
          work.push({ node: node.right, ready: false }, { node: node.left, ready: false });
        }
      } else if (node.kind === 'negate') {
        values.push(-values.pop()!);
      } else {
        const right = values.pop()!;
        const left = values.pop()!;
        values.push(apply(node.op, left, right));
      }
    }
    return values[0]!;
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

/**
 * Parses and evaluates in one go.
 * @throws InvalidNumberError, NumberTooLargeError, ResultTooLargeError, NegativeExponentError
 * @example evaluate('2^64+1') // 18446744073709551617n
 */
export function evaluate(text: string, options: EvaluateOptions = {}): bigint {
  return evaluateExpression(parseExpression(text, { maxTokens: options.maxTokens }), text, options);
}
