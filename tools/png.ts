/**
 * Just enough PNG for the Teams icons: write 8-bit RGBA, and read the common non-interlaced 8-bit
 * kinds (grey, RGB, palette, grey+alpha, RGBA) back to RGBA, to check sizes and the outline icon's
 * colours without an image library. A tRNS colour key on a grey or RGB image is not applied (those
 * pixels read as opaque).
 */
import { crc32, deflateSync, inflateSync } from 'node:zlib';

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

export interface RgbaImage {
  width: number;
  height: number;
  /** width * height * 4 bytes, straight (not premultiplied) alpha */
  rgba: Buffer;
}

/** Width and height from the IHDR chunk (the first one), or an explanation of why not. */
export function pngSize(png: Buffer): { width: number; height: number } | string {
  if (png.length < 33 || !png.subarray(0, 8).equals(SIGNATURE)) return 'is not a PNG (no PNG signature)';
  if (png.toString('latin1', 12, 16) !== 'IHDR') return 'is not a PNG (no IHDR chunk first)';
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(data, crc32(head.subarray(4))), 0);
  return Buffer.concat([head, data, crc]);
}

/** An 8-bit RGBA PNG of these pixels (filter 0 on every row). */
export function writePng({ width, height, rgba }: RgbaImage): Buffer {
  if (rgba.length !== width * height * 4)
    throw new RangeError(`writePng: ${rgba.length} bytes for ${width}x${height} RGBA`);
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 6, 0, 0, 0], 8); // bit depth 8, colour type 6 (RGBA), deflate, filter 0, no interlace
  const raw = Buffer.alloc(height * (1 + width * 4));
  for (let y = 0; y < height; y++)
    rgba.copy(raw, y * (1 + width * 4) + 1, y * width * 4, (y + 1) * width * 4);
  return Buffer.concat([
    SIGNATURE,
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

/** Decode a PNG to RGBA. Throws on what it does not read (16-bit, sub-byte depths, interlace). */
export function readPng(png: Buffer): RgbaImage {
  const size = pngSize(png);
  if (typeof size === 'string') throw new Error(`readPng: ${size}`);
  const { width, height } = size;
  const [depth, colourType, , , interlace] = png.subarray(24, 29);
  const channels = CHANNELS[colourType ?? -1];
  if (depth !== 8 || channels === undefined || interlace !== 0)
    throw new Error(
      `readPng: only non-interlaced 8-bit PNGs are read (this one: depth ${depth}, colour type ${colourType}, interlace ${interlace})`,
    );
  const idat: Buffer[] = [];
  let palette: Buffer | undefined;
  let alphas: Buffer | undefined;
  for (let i = 8; i + 8 <= png.length;) {
    const len = png.readUInt32BE(i);
    const type = png.toString('latin1', i + 4, i + 8);
    const data = png.subarray(i + 8, i + 8 + len);
    if (type === 'IDAT') idat.push(data);
    else if (type === 'PLTE') palette = data;
    else if (type === 'tRNS') alphas = data;
    else if (type === 'IEND') break;
    i += 12 + len;
  }
  const stride = width * channels;
  const raw = inflateSync(Buffer.concat(idat));
  if (raw.length < height * (stride + 1)) throw new Error('readPng: image data is shorter than its size');
  const px = Buffer.alloc(height * stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const src = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    const row = px.subarray(y * stride, (y + 1) * stride);
    const up = y > 0 ? px.subarray((y - 1) * stride, y * stride) : Buffer.alloc(stride);
    for (let x = 0; x < stride; x++) {
      const a = x >= channels ? row[x - channels]! : 0;
      const b = up[x]!;
      const c = x >= channels ? up[x - channels]! : 0;
      let pred = 0;
      if (filter === 1) pred = a;
      else if (filter === 2) pred = b;
      else if (filter === 3) pred = (a + b) >> 1;
      else if (filter === 4) {
        const p = a + b - c;
        const [pa, pb, pc] = [Math.abs(p - a), Math.abs(p - b), Math.abs(p - c)];
        pred = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      } else if (filter !== 0) throw new Error(`readPng: unknown filter ${filter} on row ${y}`);
      row[x] = (src[x]! + pred) & 0xff;
    }
  }
  const rgba = Buffer.alloc(width * height * 4);
  for (let i = 0; i < width * height; i++) {
    const s = px.subarray(i * channels, (i + 1) * channels);
    let out: number[];
    if (colourType === 0) out = [s[0]!, s[0]!, s[0]!, 255];
    else if (colourType === 2) out = [s[0]!, s[1]!, s[2]!, 255];
    else if (colourType === 4) out = [s[0]!, s[0]!, s[0]!, s[1]!];
    else if (colourType === 6) out = [s[0]!, s[1]!, s[2]!, s[3]!];
    else {
      const k = s[0]!;
      if (!palette || 3 * k + 2 >= palette.length)
        throw new Error(`readPng: palette index ${k} out of range`);
      out = [palette[3 * k]!, palette[3 * k + 1]!, palette[3 * k + 2]!, alphas?.[k] ?? 255];
    }
    rgba.set(out, i * 4);
  }
  return { width, height, rgba };
}
