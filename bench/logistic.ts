/** A labelled example: features (the first is 1, the bias) and 0 or 1. */
export interface Example {
  x: number[];
  y: number;
}

const RIDGE = 1;

/** Ridge logistic regression by Newton's method (a dozen features: the normal equations are small); the bias is not shrunk. */
export function fitLogistic(data: Example[], ridge = RIDGE, iterations = 25): number[] {
  const d = data[0].x.length;
  let w = new Array<number>(d).fill(0);
  for (let it = 0; it < iterations; it++) {
    const g = new Array<number>(d).fill(0);
    const h = Array.from({ length: d }, () => new Array<number>(d).fill(0));
    for (const { x, y } of data) {
      const p = 1 / (1 + Math.exp(-x.reduce((s, v, j) => s + v * w[j], 0)));
      const r = p * (1 - p);
      for (let a = 0; a < d; a++) {
        g[a] += (p - y) * x[a];
        for (let b = 0; b < d; b++) h[a][b] += r * x[a] * x[b];
      }
    }
    // The bias is not shrunk.
    for (let a = 1; a < d; a++) {
      g[a] += ridge * w[a];
      h[a][a] += ridge;
    }
    const step = solve(h, g);
    w = w.map((v, j) => v - step[j]);
    if (Math.max(...step.map(Math.abs)) < 1e-8) break;
  }
  return w;
}

function solve(a: number[][], b: number[]): number[] {
  const n = b.length;
  const m = a.map((row, i) => [...row, b[i]]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r][c]) > Math.abs(m[p][c])) p = r;
    [m[c], m[p]] = [m[p], m[c]];
    for (let r = 0; r < n; r++) {
      if (r === c || m[c][c] === 0) continue;
      const f = m[r][c] / m[c][c];
      for (let k = c; k <= n; k++) m[r][k] -= f * m[c][k];
    }
  }
  return m.map((row, i) => (row[i] === 0 ? 0 : row[n] / row[i]));
}

