/** `node --import ./tools/ts-register.mjs`: TypeScript sources in this thread (see ts-hooks.mjs). */
import { register } from 'node:module';

register('./ts-hooks.mjs', import.meta.url);
