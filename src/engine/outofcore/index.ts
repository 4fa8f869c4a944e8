/**
 * outofcore — operations whose working set exceeds the memory budget (MATHSTREAM_MEMORY): products
 * by a 2-D transform over disk, or a block convolution with disk-cached spectra for a few blocks
 * (multiply.ts, transform2d.ts), powers by out-of-core square-and-multiply, and division by a Newton
 * reciprocal on digit files whose products route through the planner (divide.ts).
 * Each runs in a scratch folder in the log folder that it removes itself, and that start-up
 * reconciliation removes if the process was killed.
 */
export {
  divisionMultiplier, divisionPlannedOutOfCore, mulInMemory, mulOutOfCore, planFileProduct, plannedOutOfCore, powerMultiplier, powerPlannedOutOfCore,
  type OutOfCoreTuning,
} from './product.js';
export { powOutOfCore } from './power.js';
export { divmodOutOfCore } from './divide.js';
export { blockSizeForBudget, outOfCoreProducts, productScratchBytes } from './multiply.js';
