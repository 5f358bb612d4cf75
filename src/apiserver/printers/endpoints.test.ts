/**
 * @module apiserver/printers/endpoints.test
 * Tests for the endpoints printer code against upstream expectations and lab objects.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { M, NOW, ago } from './fixtures.js';
import { columnsFor, rowFor } from './registry.js';

const addrs = (...ips: string[]) => ips.map((ip) => ({ ip }));

test('endpoints columns', () => {
  assert.deepEqual(columnsFor('/Endpoints').map((c) => c.name), ['Name', 'Endpoints', 'Age']);
  assert.deepEqual(columnsFor('discovery.k8s.io/EndpointSlice').map((c) => c.name), ['Name', 'AddressType', 'Ports', 'Endpoints', 'Age']);
});

test('backend endpoints: three pods on 8080', () => {
  const ep = {
    metadata: { name: 'backend-clusterip', creationTimestamp: ago(4 * M) },
    subsets: [{ addresses: addrs('10.244.1.5', '10.244.2.6', '10.244.1.8'), ports: [{ port: 8080, protocol: 'TCP' }] }],
  };
  assert.deepEqual(rowFor('/Endpoints', ep, NOW), ['backend-clusterip', '10.244.1.5:8080,10.244.2.6:8080,10.244.1.8:8080', '4m']);
});

test('endpoints truncation: "+ N more..." counts every address x port', () => {
  const ep = {
    metadata: { name: 'web' },
    subsets: [
      { addresses: addrs('10.0.0.1', '10.0.0.2'), ports: [{ port: 80 }, { port: 443 }] },
      { addresses: addrs('10.0.0.3'), ports: [{ port: 80 }] },
    ],
  };
  assert.equal(rowFor('/Endpoints', ep, NOW)[1], '10.0.0.1:80,10.0.0.2:80,10.0.0.1:443 + 2 more...');
});

test('endpoints: <none> without subsets, bare IPs without ports, IPv6 bracketed, empty subset is ""', () => {
  assert.equal(rowFor('/Endpoints', { metadata: { name: 'x' } }, NOW)[1], '<none>');
  assert.equal(rowFor('/Endpoints', { metadata: { name: 'x' }, subsets: [{ addresses: addrs('10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.0.4') }] }, NOW)[1], '10.0.0.1,10.0.0.2,10.0.0.3 + 1 more...');
  assert.equal(rowFor('/Endpoints', { metadata: { name: 'x' }, subsets: [{ addresses: addrs('fd00::5'), ports: [{ port: 53 }] }] }, NOW)[1], '[fd00::5]:53');
  // Only notReadyAddresses: upstream prints an empty cell.
  assert.equal(rowFor('/Endpoints', { metadata: { name: 'x' }, subsets: [{ notReadyAddresses: addrs('10.0.0.9'), ports: [{ port: 80 }] }] }, NOW)[1], '');
});

test('endpointslice: ports, addresses, <unset>, truncation', () => {
  const slice = {
    metadata: { name: 'backend-clusterip-abc12', creationTimestamp: ago(4 * M) },
    addressType: 'IPv4',
    ports: [{ name: '', port: 8080, protocol: 'TCP' }],
    endpoints: [{ addresses: ['10.244.1.5'] }, { addresses: ['10.244.2.6'] }, { addresses: ['10.244.1.8'] }, { addresses: ['10.244.2.9'] }],
  };
  assert.deepEqual(rowFor('discovery.k8s.io/EndpointSlice', slice, NOW), ['backend-clusterip-abc12', 'IPv4', '8080', '10.244.1.5,10.244.2.6,10.244.1.8 + 1 more...', '4m']);
  assert.deepEqual(rowFor('discovery.k8s.io/EndpointSlice', { metadata: { name: 'e' }, addressType: 'IPv4' }, NOW), ['e', 'IPv4', '<unset>', '<unset>', '<unknown>']);
  const ports = [{ port: 1 }, { name: 'http' }, {}, { port: 4 }, { port: 5 }];
  assert.equal(rowFor('discovery.k8s.io/EndpointSlice', { metadata: { name: 'e' }, addressType: 'IPv4', ports }, NOW)[2], '1,http,* + 2 more...');
});
