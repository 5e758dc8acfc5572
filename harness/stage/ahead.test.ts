import { expect, test } from "bun:test";
import { selfTests } from "../self-test.ts";
import { Ahead, widthFor } from "./ahead.ts";

selfTests("Ahead runs the jobs of a file's tests width at a time, ahead of them", () => {
  test("width jobs run at once, started in the tests' order, and each test gets its own job's result or error", async () => {
    let running = 0;
    let most = 0;
    const startedOrder: number[] = [];
    const jobs = [40, 10, 10, 60, 10, 10].map((ms, i) => ({
      name: `job ${i}`,
      run: async () => {
        startedOrder.push(i);
        most = Math.max(most, ++running);
        await Bun.sleep(ms);
        running--;
        if (i === 2) throw new Error("job 2 failed");
        return i * 10;
      },
    }));
    const ahead = new Ahead(jobs, 2, 2);
    expect(await ahead.result(0)).toBe(0);
    // While job 0 ran, job 1 ended and the pool went on (jobs 2 and 3): a slot never waits for a slower job.
    expect(startedOrder.slice(0, 3)).toEqual([0, 1, 2]);
    expect(await ahead.result(1)).toBe(10);
    await expect(ahead.result(2)).rejects.toThrow("job 2 failed");
    for (const i of [3, 4, 5]) expect(await ahead.result(i)).toBe(i * 10);
    expect(startedOrder).toEqual([0, 1, 2, 3, 4, 5]);
    expect(most).toBe(2);
  });

  test("while the processors are idle the pool grows by one job per sample up to most; while they are busy it stays at width", async () => {
    const peak = async (idle: number) => {
      let running = 0;
      let most = 0;
      const jobs = Array.from({ length: 8 }, (_, i) => ({
        name: `job ${i}`,
        run: async () => {
          most = Math.max(most, ++running);
          await Bun.sleep(120);
          running--;
        },
      }));
      const ahead = new Ahead(jobs, 1, 3, () => idle, 10);
      for (let i = 0; i < jobs.length; i++) await ahead.result(i);
      return most;
    };
    expect(await peak(0.9)).toBe(3);
    expect(await peak(0.3)).toBe(1);
    expect(await peak(0.05)).toBe(1);
  });

  test("with more --parallel workers than cores, each file's pool starts narrower (cores × cores / workers, at least 1)", () => {
    expect([widthFor(2, undefined), widthFor(2, 2), widthFor(2, 4), widthFor(2, 8), widthFor(8, 16), widthFor(4, 2)]).toEqual([2, 2, 1, 1, 4, 4]);
  });
});
