import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFaceEngine, type LocalFaceEngine } from '../../../local/engine/engine.ts';
import { FaceEngineError } from '../../../local/engine/errors.ts';
import type { Comparison, Judged, Unjudged } from '../../../local/engine/types.ts';
import {
  asPng,
  differentPeople,
  exifRotated,
  faceCrop,
  hugeHeader,
  idStyle,
  notAFace,
  REPLAY_KINDS,
  randomNoise,
  replayOf,
  SAMPLE_FACES,
  samePersonPair,
  samplePhoto,
  truncated,
} from '../../helpers/photos.ts';

function judged(result: Comparison): Judged {
  if (result.outcome !== 'judged')
    throw new Error(`expected a judged comparison, got ${JSON.stringify(result)}`);
  return result;
}

function unjudged(result: Comparison): Unjudged {
  if (result.outcome !== 'unjudgeable')
    throw new Error(`expected an unjudgeable outcome, got ${result.outcome}`);
  return result;
}

const replayFired = (r: Judged) => r.attackSignals.some((s) => s.name === 'replay' && s.fired);

// One engine for the whole file: loading the models takes seconds.
let engine: LocalFaceEngine;
let face: Buffer;
beforeAll(async () => {
  engine = await createFaceEngine();
  face = await faceCrop(1, 0);
});
afterAll(async () => {
  await engine?.close();
});

describe('face engine: photos that cannot be judged', () => {
  it('reports empty for the ref photo when it has zero bytes', async () => {
    const result = unjudged(await engine.compare(Buffer.alloc(0), face));
    expect(result).toMatchObject({ reason: 'empty', photo: 'ref' });
  });

  it('reports not_an_image for the auth photo when it is random bytes', async () => {
    const result = unjudged(await engine.compare(face, randomNoise()));
    expect(result).toMatchObject({ reason: 'not_an_image', photo: 'auth' });
  });

  it('reports truncated when the JPEG data ends early', async () => {
    const result = unjudged(await engine.compare(face, truncated(face)));
    expect(result).toMatchObject({ reason: 'truncated', photo: 'auth' });
  });

  it('reports no_face, naming the photo, when a valid image shows no face', async () => {
    const result = unjudged(await engine.compare(await notAFace(), face));
    expect(result).toMatchObject({ reason: 'no_face', photo: 'ref' });
    expect(result.message).toContain('ref');
  });

  it.each(['png', 'jpeg'] as const)('rejects a 20000x20000 %s header before decoding it', async (format) => {
    const result = unjudged(await engine.compare(face, hugeHeader(format)));
    expect(result).toMatchObject({ reason: 'too_large', photo: 'auth' });
    expect(result.message).toContain('20000x20000');
    // Nothing was sent to a decoder: the header alone decided.
    expect(result.timingsMs.decodeMs).toBe(0);
  });

  it('reports face_blurred for the auth photo when its face is too blurred to describe', async () => {
    // Face 2 of demo photo 5 blurred with sigma 6 px: still found by the detector, but its detail is gone.
    const soft = await sharp(await faceCrop(5, 2))
      .blur(6)
      .jpeg()
      .toBuffer();
    const result = unjudged(await engine.compare(face, soft));
    expect(result).toMatchObject({ reason: 'face_blurred', photo: 'auth' });
    expect(result.message).toMatch(/the auth photo: the face is too blurred to compare/);
  });

  it('reports face_not_frontal, naming the photo and the angle, for a face turned far from the camera', async () => {
    // Face 2 of demo photo 5 is turned about 45 degrees (a three-quarter view); its mirror image to the other side.
    const turned = await faceCrop(5, 2);
    const mirrored = await sharp(turned).flop().jpeg().toBuffer();
    for (const [ref, auth, photo] of [
      [turned, face, 'ref'],
      [face, mirrored, 'auth'],
    ] as const) {
      const result = unjudged(await engine.compare(ref, auth));
      expect(result).toMatchObject({ reason: 'face_not_frontal', photo });
      expect(result.message).toMatch(
        /turned too far from frontal to compare \(about 4\d\.\d degrees towards the image's (left|right), the limit is 30\)/,
      );
    }
  });

  it('reports face_too_small when the only face is narrower than the minimum', async () => {
    // A 28 px wide face on a 160x160 grey canvas: the detector still finds it, the minimum is 32 px.
    const small = await sharp(face).resize({ width: 28 }).toBuffer();
    const canvas = await sharp({ create: { width: 160, height: 160, channels: 3, background: '#808080' } })
      .composite([{ input: small, left: 60, top: 50 }])
      .jpeg({ quality: 95 })
      .toBuffer();
    const result = unjudged(await engine.compare(face, canvas));
    expect(result.photo).toBe('auth');
    expect(['face_too_small', 'no_face']).toContain(result.reason);
  });

  it('never puts photo bytes in its messages', async () => {
    const bytes = Buffer.concat([Buffer.from('not an image '), Buffer.alloc(300, 'A')]);
    const result = unjudged(await engine.compare(bytes, face));
    expect(result.message).not.toContain('AAAA');
  });
});

describe('face engine: decisions', () => {
  it('fails different people and flags no attack', async () => {
    const [a, b] = await differentPeople();
    const result = judged(await engine.compare(a, b));
    expect(result.passed).toBe(false);
    expect(result.score).toBeLessThan(result.threshold);
    expect(result.faceAttack).toBe(false);
  });

  // Pairs of near-frontal sample faces (turned by under 25 degrees: faces turned further are refused as
  // face_not_frontal, or close to that limit) of different people. A few other pairs of sample faces are
  // closer than the default threshold: see the limits in docs/face-engine.md.
  it.each([
    [1, 0, 6, 2],
    [5, 0, 6, 0],
    [3, 1, 5, 0],
    [2, 0, 6, 1],
  ] as const)(
    'fails sample%i face %i against sample%i face %i (different people)',
    async (n1, i1, n2, i2) => {
      const result = judged(await engine.compare(await faceCrop(n1, i1), await faceCrop(n2, i2)));
      expect(result.passed).toBe(false);
    },
  );

  it('passes two different photos of the same person without flagging a replay', async () => {
    const [a, b] = await samePersonPair();
    const result = judged(await engine.compare(a, b));
    expect(result.passed).toBe(true);
    expect(replayFired(result)).toBe(false);
  });

  it('still matches when the ref is a small greyscale low-quality ID-style photo', async () => {
    const [a, b] = await samePersonPair();
    const result = judged(await engine.compare(await idStyle(a), b));
    expect(result.passed).toBe(true);
    expect(result.ref.width).toBe(240);
  });

  // The descriptor's crop is levelled on the eye line (chip.ts). Cut upright, as face-api cuts it, the same
  // photo turned by 25 degrees moved 0.30-0.70 in descriptor distance (often past the threshold); levelled,
  // about 0.1.
  it.each([-25, 25])('matches a face with the same photo turned by %i degrees', async (degrees) => {
    const turned = await sharp(face)
      .rotate(degrees, { background: '#808080' })
      .jpeg({ quality: 92 })
      .toBuffer();
    const result = judged(await engine.compare(face, turned));
    expect(result.distance).toBeLessThan(0.2);
    expect(result.passed).toBe(true);
  });

  it('compares the largest face of a group photo and reports how many faces it saw', async () => {
    const result = judged(await engine.compare(await samplePhoto(1), face));
    // Three people; the 320 px pass that finds the large faces sees the two larger ones.
    expect(result.ref.faces).toBe(2);
    const expected = SAMPLE_FACES[1][0]!;
    expect(
      Math.abs(result.ref.box.x + result.ref.box.width / 2 - (expected.x + expected.width / 2)),
    ).toBeLessThan(40);
    expect(result.ref).toMatchObject({ width: 1920, height: 1280 });
    expect(result.passed).toBe(true);
  });

  it('accepts PNG and gives the same decision as for the JPEG', async () => {
    const [, other] = await differentPeople();
    const fromJpeg = judged(await engine.compare(face, other));
    const fromPng = judged(await engine.compare(await asPng(face), other));
    expect(fromPng.passed).toBe(fromJpeg.passed);
    expect(Math.abs(fromPng.distance - fromJpeg.distance)).toBeLessThan(0.02);
  });

  it('applies EXIF orientation: a rotated-with-EXIF photo gives the same result as the upright one', async () => {
    const [, other] = await differentPeople();
    const upright = judged(await engine.compare(face, other));
    const rotated = judged(await engine.compare(await exifRotated(face), other));
    expect(rotated.ref.width).toBe(upright.ref.width);
    expect(rotated.ref.height).toBe(upright.ref.height);
    expect(Math.abs(rotated.ref.box.x - upright.ref.box.x)).toBeLessThan(8);
    expect(Math.abs(rotated.distance - upright.distance)).toBeLessThan(0.03);
    expect(rotated.passed).toBe(upright.passed);
  });

  it('reports per-photo details and timings', async () => {
    const [a, b] = await samePersonPair();
    const result = judged(await engine.compare(a, b));
    expect(result.auth.faces).toBe(1);
    expect(result.auth.detectionScore).toBeGreaterThan(0.5);
    expect(result.timingsMs.totalMs).toBeGreaterThan(0);
    expect(result.score).toBeGreaterThanOrEqual(0);
    expect(result.score).toBeLessThanOrEqual(100);
  });
});

describe('face engine: replay of the reference photo', () => {
  // Frontal faces. The replay signal is a heuristic measured on faces-dev and the demo faces (see
  // docs/benchmarks.md). Faces 1 of demo photo 1 (rolled about 45 degrees) and 3 of demo photo 2 (small,
  // tipped down) are the hardest: placed by two eye centres, their mirrored, brightened and rotated copies
  // were missed; placed by dlib's 33-landmark chip fit, they are caught.
  const faces = [
    [3, 1],
    [1, 0],
    [2, 2],
  ] as const;
  it.each(faces.flatMap(([n, i]) => REPLAY_KINDS.map((kind) => [kind, n, i] as const)))(
    'flags a %s copy of demo face %i#%i as a face attack',
    async (kind, n, i) => {
      const photo = await faceCrop(n, i);
      const result = judged(await engine.compare(photo, await replayOf(photo, kind)));
      expect(replayFired(result)).toBe(true);
      expect(result.faceAttack).toBe(true);
    },
  );

  it('flags the mirror image of an ID-style ref as a replay', async () => {
    const [a] = await samePersonPair();
    const ref = await idStyle(a);
    expect(replayFired(judged(await engine.compare(ref, await replayOf(ref, 'mirror'))))).toBe(true);
  });

  it('describes a face and its mirror image alike (the descriptor averages both), and flags the mirror as a replay', async () => {
    // Face 3 of demo photo 3: its crop's descriptor alone is about 0.2 from its mirror's; averaged with the
    // mirrored crop's, about 0.07.
    const photo = await faceCrop(3, 2);
    const result = judged(await engine.compare(photo, await replayOf(photo, 'mirror')));
    expect(result.distance).toBeLessThan(0.12);
    expect(replayFired(result)).toBe(true);
  });

  it('flags the exact same bytes as a replay', async () => {
    const result = judged(await engine.compare(face, face));
    expect(result.distance).toBe(0);
    expect(replayFired(result)).toBe(true);
  });
});

describe('face engine: concurrency, resources and lifecycle', () => {
  it('gives the same results to concurrent compares as to sequential ones', async () => {
    const [a, b] = await differentPeople();
    const [s1, s2] = await samePersonPair();
    const sequential = [judged(await engine.compare(a, b)), judged(await engine.compare(s1, s2))];
    const concurrent = await Promise.all([
      engine.compare(a, b),
      engine.compare(s1, s2),
      engine.compare(a, b),
      engine.compare(s1, s2),
      engine.compare(Buffer.alloc(0), a),
    ]);
    expect(concurrent.map((r) => (r.outcome === 'judged' ? r.distance : r.reason))).toEqual([
      sequential[0]!.distance,
      sequential[1]!.distance,
      sequential[0]!.distance,
      sequential[1]!.distance,
      'empty',
    ]);
  }, 180_000);

  it('leaks no tensor over many compares, judged and unjudgeable', async () => {
    const [a, b] = await differentPeople();
    const inputs: [Buffer, Buffer][] = [
      [a, b],
      [face, truncated(face)],
      [await notAFace(), a],
      [await samplePhoto(2), b],
    ];
    await engine.compare(a, b);
    const before = await engine.numTensors();
    for (let round = 0; round < 3; round++) {
      await Promise.all(inputs.map(([ref, auth]) => engine.compare(ref, auth)));
    }
    expect(await engine.numTensors()).toBe(before);
  }, 240_000);

  it('rejects invalid options with a typed error before loading anything', async () => {
    await expect(createFaceEngine({ workers: 0 })).rejects.toMatchObject({ code: 'ENGINE_BAD_OPTIONS' });
  });

  it('refuses to compare after close with a typed error', async () => {
    const other = await createFaceEngine({ workers: 1, passiveSignals: false });
    await other.close();
    const error = await other.compare(face, face).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(FaceEngineError);
    expect(error).toMatchObject({ code: 'ENGINE_CLOSED' });
  });
});
