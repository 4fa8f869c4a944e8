/** The list of sub-commands; each module adds its own to the program. */
import type { Command } from 'commander';
import * as arith from './operations.js';
import { register as registerPi } from './pi.js';
import { register as registerCollatz } from './collatz.js';
import { register as registerCollatzUi } from './collatz-ui.js';
import { register as registerUi } from './ui.js';
import { register as registerFind } from './find.js';
import { register as registerStatus } from './status.js';
import { register as registerGc } from './gc.js';
import { register as registerClear } from './clear.js';

export function registerCommands(program: Command): void {
  arith.register(program);
  registerPi(program);
  registerCollatz(program);
  registerCollatzUi(program);
  registerUi(program);
  registerFind(program);
  registerStatus(program);
  registerGc(program);
  registerClear(program);
}
