/** Tagged templates for Preact (htm): `html\`<${Card} device=${d} />\``; no JSX build step. */
export { html } from 'htm/preact';
