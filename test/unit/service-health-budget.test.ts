import { describe, expect, it } from 'vitest';
import { serviceHealthBudgetMs } from '../../engine/pipeline/health.js';

const check = { test: ['CMD', 'greenci-mariadb-health'], intervalMs: 1000, timeoutMs: 5000, retries: 30, startPeriodMs: 60_000 };

describe('how long greenci waits for a service to become healthy', () => {
  it("a database whose health check allows a slow first start gets that long, not the environment's shorter timeout", () => {
    // start_period 60 s, then 30 checks of up to 1 s + 5 s each: Docker itself calls it unhealthy at about 240 s
    expect(serviceHealthBudgetMs(15_000, check)).toBe(240_000);
  });

  it("the environment's timeout when it is the longer one, or when the service has no health check", () => {
    expect(serviceHealthBudgetMs(300_000, check)).toBe(300_000);
    expect(serviceHealthBudgetMs(15_000, { ...check, startPeriodMs: 0, retries: 1 })).toBe(15_000);
    expect(serviceHealthBudgetMs(15_000)).toBe(15_000);
  });
});
