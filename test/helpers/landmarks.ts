/**
 * Synthetic 68-point landmarks of a head in a known pose: the six points pose.ts fits, placed where a camera
 * would see the generic face turned by `yaw`, tipped by `pitch` and rolled; the other 62 sit at the shift point.
 */
import type { Point } from '../../local/engine/thumb.ts';

/** The six model points pose.ts fits (landmark index, position on the generic face: x right, y up, z forward). */
const FACE: [number, [number, number, number]][] = [
  [30, [0, 0, 0]],
  [8, [0, -330, -65]],
  [36, [-225, 170, -135]],
  [45, [225, 170, -135]],
  [48, [-150, -150, -125]],
  [54, [150, -150, -125]],
];

type Vec = [number, number, number];
const rad = (deg: number) => (deg * Math.PI) / 180;
/** Turn by `yaw` about the head's vertical axis (positive: towards the viewer's right), then tip by `pitch`
 * (positive: up), then roll in the image plane. */
function rotate([x, y, z]: Vec, yaw: number, pitch: number, roll: number): Vec {
  const [sp, cp] = [Math.sin(rad(pitch)), Math.cos(rad(pitch))];
  [y, z] = [y * cp + z * sp, -y * sp + z * cp];
  const [sy, cy] = [Math.sin(rad(yaw)), Math.cos(rad(yaw))];
  [x, z] = [x * cy + z * sy, -x * sy + z * cy];
  const [sr, cr] = [Math.sin(rad(roll)), Math.cos(rad(roll))];
  return [x * cr - y * sr, x * sr + y * cr, z];
}

/** 68 image landmarks of the generic face in that pose, seen by a camera at `scale` px per unit, shifted. */
export function landmarks(
  yaw: number,
  pitch: number,
  roll = 0,
  scale = 0.4,
  shift: Point = { x: 300, y: 200 },
): Point[] {
  const points: Point[] = Array.from({ length: 68 }, () => ({ x: shift.x, y: shift.y }));
  for (const [index, at] of FACE) {
    const [x, y] = rotate(at, yaw, pitch, roll);
    points[index] = { x: shift.x + x * scale, y: shift.y - y * scale }; // image y grows downwards
  }
  return points;
}
