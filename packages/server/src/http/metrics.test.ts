import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Metrics } from './metrics.js';

describe('Metrics', () => {
  it('counts pushes by dialect, added up at each scrape', async () => {
    const metrics = new Metrics();
    const native = metrics.connectionObserver('native');
    const again = metrics.connectionObserver('native');
    const imp = metrics.connectionObserver('imp');
    const pushes = async (dialect: string) => {
      const text = await metrics.registry.metrics();
      const m = new RegExp(`^parley_pushes_out_total\\{dialect="${dialect}"\\} (\\d+)$`, 'm').exec(text);
      return Number(m?.[1] ?? NaN);
    };
    assert.equal(await pushes('native'), 0, 'shown from the first connection on');
    for (let i = 0; i < 3; i++) native.pushed();
    again.pushed();
    imp.pushed();
    assert.equal(await pushes('native'), 4);
    assert.equal(await pushes('imp'), 1);
    assert.equal(await pushes('native'), 4, 'a second scrape adds nothing twice');
    native.pushed();
    assert.equal(await pushes('native'), 5);
  });
});
