/**
 * FC 3.0 OSS trigger: `export const handler = async (event: Buffer, context) => reply`.
 * Module scope is the cold start: the environment is validated once here (a bad variable fails the instance at
 * start, naming the variable); credentials are read per invocation (context.credentials first).
 */
import { readProcessEnv } from '../../shared/config.ts';
import { createVerifyOssHandler } from './handler.ts';

export const handler = createVerifyOssHandler(readProcessEnv());
