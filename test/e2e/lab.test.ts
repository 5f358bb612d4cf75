/** The networking lab end to end with the kubectl on PATH (the dispatcher picks 1.31). */
import { test } from 'node:test';
import { runLab } from './lab-scenario.js';

test('the networking lab, kubectl on PATH', { timeout: 240_000 }, (t) => runLab(t));
