/**
 * Turns a photo into an ID-photo look, as the benchmark's --id-style does to every ref: a tight 3:4 crop
 * around the face, resized to `width` x 4/3 width (150-300 px wide, the range of scanned ID photos),
 * greyscale, JPEG quality 50.
 */
import sharp from 'sharp';
import type { FaceBox } from '../local/engine/types.ts';

export async function toIdPhoto(photo: Buffer, face: FaceBox, width: number): Promise<Buffer> {
  // Dimensions after EXIF orientation, read from the header: no full decode and re-encode of the photo.
  const meta = await sharp(photo).metadata();
  const imgW = meta.autoOrient?.width ?? meta.width;
  const imgH = meta.autoOrient?.height ?? meta.height;
  // 3:4 whatever the photo's shape: a crop cut short by the photo's height is narrowed to match, so the resize
  // below never stretches the face (before, 9 of faces-dev's 28 copies were stretched by 3-42% in height).
  let cropW = Math.min(imgW, Math.round(face.width * 1.7));
  let cropH = Math.round((cropW * 4) / 3);
  if (cropH > imgH) {
    cropH = imgH;
    cropW = Math.min(imgW, Math.round((cropH * 3) / 4));
  }
  const centreX = face.x + face.width / 2;
  const centreY = face.y + face.height * 0.45;
  const left = Math.max(0, Math.min(imgW - cropW, Math.round(centreX - cropW / 2)));
  const top = Math.max(0, Math.min(imgH - cropH, Math.round(centreY - cropH / 2)));
  return sharp(photo)
    .autoOrient()
    .extract({ left, top, width: cropW, height: cropH })
    .resize(width, Math.round((width * 4) / 3), { fit: 'fill' })
    .greyscale()
    .toColourspace('b-w')
    .jpeg({ quality: 50 })
    .toBuffer();
}
