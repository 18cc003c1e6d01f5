import * as p from '../../test/helpers/photos.ts';
import { createFaceEngine } from './engine.ts';

const e = await createFaceEngine();
const [s1, s2] = await p.samePersonPair();
const [d1, d2] = await p.differentPeople();
const pairs: [Buffer, Buffer][] = [
  [await p.idStyle(s1), s2],
  [await p.idStyle(d1), d2],
  [s1, p.truncated(s2)],
  [await p.notAFace(), s1],
];
await e.compare(s1, s2);
const start = await e.numTensors();
console.log('start tensors', start, 'rss', Math.round(process.memoryUsage().rss / 2 ** 20));
for (let i = 0; i < 1000; i += 2) {
  await Promise.all([e.compare(...pairs[i % 4]!), e.compare(...pairs[(i + 1) % 4]!)]);
  if ((i + 2) % 100 === 0)
    console.log(
      i + 2,
      'tensors',
      await e.numTensors(),
      'rss',
      Math.round(process.memoryUsage().rss / 2 ** 20),
      new Date().toISOString(),
    );
}
await e.close();
