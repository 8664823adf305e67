/* global module */
/**
 * strip-bom for jest: @microsoft/app-manifest (CommonJS) require()s strip-bom 5, which is ESM only.
 * Node 20.19+ loads that itself (require(esm)); jest's module loader does so only on Node 24.9+, so
 * jest.config.js maps strip-bom here. Same function: drop one leading U+FEFF.
 */
'use strict';
/** @param {string} text */
module.exports = function stripBom(text) {
  if (typeof text !== 'string') throw new TypeError(`Expected a string, got ${typeof text}`);
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
};
