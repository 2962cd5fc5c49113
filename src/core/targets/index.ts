// Targets: render a compiled zone program for an enforcement point.
export * from './types.js';
export { renderCalico, poolNames } from './calico.js';
export { safeName } from './names.js';
export { renderCnp } from './cnp.js';
export { renderAnp } from './anp.js';
