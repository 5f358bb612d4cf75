/** The networking lab end to end with the newest kubectl (protobuf bodies, WebSocket streams). */
import { test } from 'node:test';
import { runLab } from './lab-scenario.js';

test('the networking lab, kubectl 1.33', { timeout: 240_000 }, (t) => runLab(t, '1.33'));
