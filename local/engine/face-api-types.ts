/** The face-api build the engine loads (over tfjs on the wasm backend), as a type for runtime.ts and tiny-detector.ts. */
import type * as faceapi from '@vladmandic/face-api/dist/face-api.node-wasm.js';

export type FaceApi = typeof faceapi;
