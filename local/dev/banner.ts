/**
 * What `npm start` prints once every piece is up: the pieces' lines under "Local stack ready" (what runs
 * where), then each piece's "Try ..." section under its own heading.
 */
import type { Piece } from './pieces.ts';

export function bannerText(pieces: readonly Pick<Piece, 'lines' | 'tryIt'>[]): string {
  const sections = pieces.flatMap((p) => (p.tryIt && p.tryIt.length > 0 ? [['', ...p.tryIt]] : []));
  return [
    '',
    'Local stack ready',
    ...pieces.flatMap((p) => p.lines),
    ...sections.flat(),
    '',
    'Press Ctrl-C to stop.',
  ].join('\n');
}
