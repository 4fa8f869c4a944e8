/**
 * operands — how the CLI reads a number argument: an integer literal (`-123`, `+007`), or
 * `@FILE` for a digit file. Both are validated by storage; errors name the argument.
 */
import { StreamNumber } from '../number.js';

/** The files among the arguments (`@FILE` operands), for the output checks. */
export function operandFiles(...args: string[]): string[] {
  return args.filter((arg) => arg.startsWith('@')).map((arg) => arg.slice(1));
}

export async function parseOperand(argument: string): Promise<StreamNumber> {
  if (argument.startsWith('@')) return StreamNumber.fromPath(argument.slice(1));
  return StreamNumber.fromLiteral(argument);
}
