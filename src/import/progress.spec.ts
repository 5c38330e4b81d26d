import { ProgressBar } from './progress';

function sink(isTTY: boolean) {
  const lines: string[] = [];
  return { lines, out: { isTTY, write: (t: string) => lines.push(t) } };
}

describe(ProgressBar.name, () => {
  it('redraws one line in place on a terminal, throttled, and ends it with a newline', () => {
    let clock = 1000;
    const { lines, out } = sink(true);
    const sut = new ProgressBar(out, 'metrics', 100, () => clock);
    sut.update(0, 200);
    sut.update(50, 200); // within 100 ms: skipped
    clock += 150;
    sut.update(100, 200);
    sut.update(200, 200); // the end is always drawn
    expect(lines).toEqual([
      `\rmetrics [${'-'.repeat(30)}] 0% 0/200`,
      `\rmetrics [${'#'.repeat(15)}${'-'.repeat(15)}] 50% 100/200`,
      `\rmetrics [${'#'.repeat(30)}] 100% 200/200`,
      '\n',
    ]);
  });

  it('prints a plain line per tenth when not on a terminal', () => {
    const { lines, out } = sink(false);
    const sut = new ProgressBar(out, 'metrics');
    for (let done = 0; done <= 1000; done += 50) sut.update(done, 1000);
    expect(lines).toEqual([0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100].map((p) => `metrics: ${p}% (${p * 10}/1000)\n`));
  });

  it('draws nothing for an empty table', () => {
    const { lines, out } = sink(true);
    const sut = new ProgressBar(out, 'metrics');
    sut.update(0, 0);
    sut.finish();
    expect(lines).toEqual([]);
  });
});
