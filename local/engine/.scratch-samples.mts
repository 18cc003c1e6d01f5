import * as p from '../../test/helpers/photos.ts';
import { analysePhoto } from './analyse.ts';
import { loadRuntime } from './runtime.ts';
import { euclideanDistance } from './score.ts';

const rt = await loadRuntime();
const s = { detectMaxSide: 1024, minFaceSize: 32, passiveSignals: false };
const faces: { k: string; d: number[] }[] = [];
for (const n of [1, 2, 3, 4, 5, 6] as const)
  for (let i = 0; i < p.SAMPLE_FACES[n].length; i++) {
    const a = await analysePhoto(rt, await p.faceCrop(n, i), s);
    if (a.ok) faces.push({ k: `${n}/${i}`, d: a.descriptor });
    else console.log('fail', n, i, a.reason);
  }
const ds: [number, string][] = [];
for (let a = 0; a < faces.length; a++)
  for (let b = a + 1; b < faces.length; b++)
    ds.push([euclideanDistance(faces[a]!.d, faces[b]!.d), `${faces[a]!.k}-${faces[b]!.k}`]);
ds.sort((x, y) => x[0] - y[0]);
console.log(
  'pairs',
  ds.length,
  'below 0.65:',
  ds.filter((x) => x[0] < 0.65).length,
  'below 0.6:',
  ds.filter((x) => x[0] < 0.6).length,
  'below 0.55:',
  ds.filter((x) => x[0] < 0.55).length,
);
console.log(
  ds
    .slice(0, 12)
    .map(([d, k]) => `${k}:${d.toFixed(3)}`)
    .join(' '),
);
const want = ['2/0-3/1', '3/1-4/0', '4/0-6/2', '5/4-6/0'];
console.log(
  ds
    .filter(([, k]) => want.includes(k))
    .map(([d, k]) => `${k}:${d.toFixed(3)}`)
    .join(' '),
);
console.log(
  'far',
  ds
    .slice(-10)
    .map(([d, k]) => `${k}:${d.toFixed(3)}`)
    .join(' '),
);
