/** The networking lab end to end with the oldest kubectl (SPDY exec and attach). */
import { test } from 'node:test';
import { runLab } from './lab-scenario.js';

test('the networking lab, kubectl 1.27', { timeout: 240_000 }, (t) => runLab(t, '1.27'));
