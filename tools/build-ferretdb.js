/** `npm run db:tool`: builds (or finds) the embedded database binary; CI runs it before the tests. */
import path from 'node:path';
import { ensureFerretDbBinary } from './ferretdb.js';

const cacheDir = path.resolve(process.env['ACCORD_DATA_DIR'] || '.data');
const binary = await ensureFerretDbBinary({ cacheDir, onProgress: (l) => process.stdout.write(`${l}\n`) });
process.stdout.write(`embedded database ready: ${binary}\n`);
