/*
yoga-layout for the bundled TUI (the build aliases the package to this file). Yoga's loader fetch()es its own
inlined data: URL whenever fetch exists, and the first fetch() starts Node's whole fetch stack (about 30 ms, a
third of the TUI's start-up). fetch is hidden for the one synchronous call that decides how to load; the module
then decodes the same bytes itself. Nothing else changes: same binary, same wrapper, same enums.
*/
import loadYoga from '../../node_modules/yoga-layout/dist/binaries/yoga-wasm-base64-esm.js';
import wrapAssembly from '../../node_modules/yoga-layout/dist/src/wrapAssembly.js';

const descriptor = Object.getOwnPropertyDescriptor(globalThis, 'fetch');
let loading;
try {
	Object.defineProperty(globalThis, 'fetch', {value: undefined, configurable: true, writable: true});
	loading = loadYoga();
} finally {
	if (descriptor) Object.defineProperty(globalThis, 'fetch', descriptor);
	else delete globalThis.fetch;
}

const Yoga = wrapAssembly(await loading);
export default Yoga;
export * from '../../node_modules/yoga-layout/dist/src/generated/YGEnums.js';
