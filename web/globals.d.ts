/**
 * @module web/globals
 * The globals the vendor bundles define (classic scripts loaded before app.js),
 * for type-checking the page: `npx tsc -p web/jsconfig.json`.
 */
import type cytoscape from 'cytoscape';

declare global {
  interface Window {
    /** cytoscape.min.js (cytoscape-elk registers the 'elk' layout on it). */
    cytoscape: typeof cytoscape;
  }
}
