/**
 * Zips built by hand for upload tests and benchmarks: entries in any order, directories that lie,
 * entries deflated ahead (a 3 GiB zip bomb streamed through deflate without holding it).
 */
import { crc32, deflateRawSync, inflateRawSync } from 'node:zlib';

export interface ZipEntry {
  name: string;
  data: Buffer;
}

/** An entry already deflated: its compressed bytes, and the CRC-32 and size of what they unpack to. */
export interface PackedEntry {
  name: string;
  deflated: Buffer;
  crc: number;
  size: number;
}

/** 1980-01-01, the first valid MS-DOS date: an all-zero date (month 0, day 0) is not a date. */
const DOS_DATE = (1 << 5) | 1;

/** The stored entries of a zip (local headers, as jszip writes them: sizes known, no descriptors). */
export function zipEntries(zip: Buffer): ZipEntry[] {
  const out: ZipEntry[] = [];
  for (let i = 0; zip.readUInt32LE(i) === 0x04034b50;) {
    const [method, size, nameLen, extraLen] = [8, 18, 26, 28].map((o) =>
      o === 18 ? zip.readUInt32LE(i + o) : zip.readUInt16LE(i + o),
    ) as [number, number, number, number];
    const start = i + 30 + nameLen + extraLen;
    const raw = zip.subarray(start, start + size);
    out.push({
      name: zip.toString('utf8', i + 30, i + 30 + nameLen),
      data: method === 8 ? inflateRawSync(raw) : raw,
    });
    i = start + size;
  }
  return out;
}

/**
 * A zip of these entries, in this order. `declare` overrides the unpacked size its headers state
 * for an entry (a zip bomb that lies about its size).
 */
export function zipOf(
  entries: (ZipEntry | PackedEntry)[],
  declare: (e: { name: string; size: number }) => number = (e) => e.size,
): Buffer {
  const local: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const packed =
      'deflated' in e
        ? e
        : { name: e.name, deflated: deflateRawSync(e.data), crc: crc32(e.data), size: e.data.length };
    const nameBuf = Buffer.from(packed.name);
    const size = declare(packed);
    // The local header (30 bytes) and the directory entry (46) state the same fields.
    const head = Buffer.alloc(30);
    head.writeUInt32LE(0x04034b50, 0);
    head.writeUInt16LE(20, 4);
    head.writeUInt16LE(8, 8);
    head.writeUInt16LE(DOS_DATE, 12);
    head.writeUInt32LE(packed.crc, 14);
    head.writeUInt32LE(packed.deflated.length, 18);
    head.writeUInt32LE(size, 22);
    head.writeUInt16LE(nameBuf.length, 26);
    const dir = Buffer.alloc(46);
    dir.writeUInt32LE(0x02014b50, 0);
    dir.writeUInt16LE(20, 4);
    dir.writeUInt16LE(20, 6);
    dir.writeUInt16LE(8, 10);
    dir.writeUInt16LE(DOS_DATE, 14);
    dir.writeUInt32LE(packed.crc, 16);
    dir.writeUInt32LE(packed.deflated.length, 20);
    dir.writeUInt32LE(size, 24);
    dir.writeUInt16LE(nameBuf.length, 28);
    dir.writeUInt32LE(offset, 42);
    local.push(head, nameBuf, packed.deflated);
    central.push(dir, nameBuf);
    offset += 30 + nameBuf.length + packed.deflated.length;
  }
  const dirBuf = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(dirBuf.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...local, dirBuf, end]);
}
