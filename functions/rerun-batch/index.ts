/**
 * FC 3.0 timer trigger: `export const handler = async (event: Buffer, context) => reply`. The environment is
 * validated once at cold start (a bad variable fails the instance, naming the variable).
 */
import { readProcessEnv } from '../../shared/config.ts';
import { createRerunBatchHandler } from './handler.ts';

export const handler = createRerunBatchHandler(readProcessEnv());
