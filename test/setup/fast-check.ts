/**
 * Every fast-check property runs from one seed (TEST_SEED, else the fixed default), so CI is repeatable and a
 * failure reproduces with the seed it prints. Properties that name their own seed keep it. To explore new
 * inputs locally: TEST_SEED=$RANDOM npm test.
 */
import fc from 'fast-check';
import { testSeed } from '../helpers/random.ts';

fc.configureGlobal({ seed: testSeed() });
