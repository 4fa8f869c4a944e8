/**
 * kernel — in-memory decimal-radix arithmetic on naturals (typed-array limbs, no BigInt in hot paths).
 * The public surface the engine, pi and out-of-core multiplication code against.
 */

export {
  Nat, NAT_ZERO, NAT_ONE, LIMB_FACTOR_LIMIT,
  natFromDigits, natFromDigitReader, natToDigits, natDigitPieces, natFromBigInt, natToBigInt, natFromNumber, natToNumber,
  natIsZero, natDigitCount, natCompare, natAdd, natSub, natMulSmall, natDivSmall, natModSmall,
  natShiftDecimal, natTruncDecimal, natLowDigits, natExportLimbs, natImportLimbs,
} from './nat.js';
export { natMul, natSqr, natPow, CHECK_PRIME, type MulOptions } from './mul.js';
export { natFromBigIntSplit } from './radix.js';
export {
  planProduct, planSharedTransforms, mulWorkingBytes, MIN_SPLIT_DIGITS,
  type ProductPlan, type ProductMethod, type PlanOptions, type OperandHome, type MulThresholds,
} from './planner.js';
export { Multiplier, KERNEL_MULTIPLIER, NEWTON_DIV_THRESHOLD, type MultiplierOptions, type Product } from './multiplier.js';
export {
  BUDGET_SHARES, TEXT_BYTES_PER_DIGIT, LIMB_BYTES_PER_DIGIT, PI_HELD_BYTES_PER_DECIMAL, STREAM_PIECE_DIGITS, streamedHeldBytes,
  budgetFor, loadedHeldBytes, splitHeldBytes, divisionHeldBytes, resultWriteBytes, memoryBudget, piThreadsWithinBudget, piSubtreeLeafTerms, piSubtreeThreadBudget, piCallerTransformBytes, piFitsInMemory, piLeafTermsWithinBudget, PI_LEAF_BYTES_PER_TERM, type BudgetUse,
} from './budget.js';
export { natDivMod, natDiv, natDivApprox, reciprocalApprox } from './div.js';
export { natIsqrt, natRsqrtSmall } from './sqrt.js';
export { releaseFftCaches } from './fft.js';
export { fftMulDigits, digitProductWorkingBytes, prepareDigitProduct, type DigitSource, type HeldProduct, type DigitProductOptions } from './digitproduct.js';
export { suspendHelper, fftThreads, startThread, signalDone, describeFailure, type ArithmeticThread } from './threads.js';
export { natSpectrumPlan, natSpectrum, natMulSpectra, natMulAddSpectra, type NatSpectrum, type SpectrumPlan } from './spectra.js';
