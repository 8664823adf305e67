/**
 * The Teams app icons from one SVG mark (manifest/teams/mark.svg, white on transparent):
 *   color.png   192x192, the mark (96x96, so 48 px of padding Teams can crop into) on the accent square
 *   outline.png 32x32, the mark filling the square, pure white (255,255,255) on fully transparent
 *
 *   npm run teams:icons      (writes both PNGs beside the mark; commit them)
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Resvg } from '@resvg/resvg-js';
import { writePng } from './png.js';

/** The colour behind the mark in color.png, and the manifest's accentColor. */
export const ACCENT_COLOR = '#1F3A5F';
export const COLOR_SIZE = 192;
export const OUTLINE_SIZE = 32;

/** manifest/teams of this checkout, found upwards from this file (tools/ or dist/tools/). */
export function teamsAppDir(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 4; i++) {
    const candidate = path.join(dir, 'manifest', 'teams');
    if (existsSync(path.join(dir, 'package.json')) && existsSync(path.join(candidate, 'mark.svg')))
      return candidate;
    dir = path.dirname(dir);
  }
  throw new Error('cannot find manifest/teams/mark.svg above ' + fileURLToPath(import.meta.url));
}

/** The mark's drawing (what is inside its <svg>) and its viewBox. */
function markParts(markSvg: string): { body: string; viewBox: string } {
  const open = /<svg\b[^>]*>/.exec(markSvg);
  const viewBox = open && /\bviewBox="([^"]+)"/.exec(open[0])?.[1];
  const end = markSvg.lastIndexOf('</svg>');
  if (!open || !viewBox || end < 0) throw new Error('mark.svg: expected one <svg viewBox="..."> element');
  return { body: markSvg.slice(open.index + open[0].length, end), viewBox };
}

function render(svg: string): { width: number; height: number; pixels: Buffer } {
  const img = new Resvg(svg, {
    fitTo: { mode: 'original' },
    font: { loadSystemFonts: false },
    logLevel: 'off',
  }).render();
  return { width: img.width, height: img.height, pixels: img.pixels };
}

/** Both icons as PNG bytes. */
export function renderTeamsIcons(markSvg: string): { color: Buffer; outline: Buffer } {
  const { body, viewBox } = markParts(markSvg);
  const ns = 'xmlns="http://www.w3.org/2000/svg"';
  const inset = (COLOR_SIZE - 96) / 2;
  const color = render(
    `<svg ${ns} width="${COLOR_SIZE}" height="${COLOR_SIZE}" viewBox="0 0 ${COLOR_SIZE} ${COLOR_SIZE}">` +
      `<rect width="${COLOR_SIZE}" height="${COLOR_SIZE}" fill="${ACCENT_COLOR}"/>` +
      `<svg x="${inset}" y="${inset}" width="96" height="96" viewBox="${viewBox}">${body}</svg></svg>`,
  );
  const outline = render(
    `<svg ${ns} width="${OUTLINE_SIZE}" height="${OUTLINE_SIZE}" viewBox="${viewBox}">${body}</svg>`,
  );
  // resvg's pixels are premultiplied: the colour square is opaque, so they are already straight; the
  // outline's anti-aliased edges would come out a shade of grey, so every pixel that shows is made
  // pure white (only its alpha varies) and every other one transparent black.
  const px = outline.pixels;
  for (let i = 0; i < px.length; i += 4) px.fill(px[i + 3]! > 0 ? 255 : 0, i, i + 3);
  return {
    color: writePng({ width: color.width, height: color.height, rgba: color.pixels }),
    outline: writePng({ width: outline.width, height: outline.height, rgba: px }),
  };
}

/** Render manifest/teams/mark.svg and write color.png and outline.png beside it. */
export function writeTeamsIcons(dir: string = teamsAppDir()): { color: string; outline: string } {
  const icons = renderTeamsIcons(readFileSync(path.join(dir, 'mark.svg'), 'utf8'));
  const out = { color: path.join(dir, 'color.png'), outline: path.join(dir, 'outline.png') };
  writeFileSync(out.color, icons.color);
  writeFileSync(out.outline, icons.outline);
  return out;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const out = writeTeamsIcons();
  process.stdout.write(`wrote ${out.color} and ${out.outline}\n`);
}
